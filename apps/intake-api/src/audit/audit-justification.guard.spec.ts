import 'reflect-metadata';
import type { ExecutionContext } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { JustificationRequiredError } from '@ixr/platform';
import { AuditController } from './audit.controller';
import { AuditJustificationGuard, type JustifiedRequest } from './audit-justification.guard';

function contextFor(headers: Record<string, string | string[] | undefined>): {
  context: ExecutionContext;
  request: JustifiedRequest;
} {
  const request = { headers } as unknown as JustifiedRequest;
  const context = { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
  return { context, request };
}

describe('AuditJustificationGuard', () => {
  const guard = new AuditJustificationGuard();

  it('stops a request without X-Justification before any handler runs', () => {
    for (const headers of [
      {},
      { 'x-justification': '' },
      { 'x-justification': '   ' },
      { 'x-justification': 'a\u0007b' },
    ]) {
      const { context, request } = contextFor(headers);
      expect(() => guard.canActivate(context)).toThrow(JustificationRequiredError);
      expect(request.justification).toBeUndefined();
    }
  });

  it('hands the trimmed justification to the handler', () => {
    const { context, request } = contextFor({ 'x-justification': '  case 2026/44  ' });
    expect(guard.canActivate(context)).toBe(true);
    expect(request.justification).toBe('case 2026/44');
  });

  it('guards every audit route, for auditors only', () => {
    expect(Reflect.getMetadata(GUARDS_METADATA, AuditController)).toEqual([AuditJustificationGuard]);
    expect(Reflect.getMetadata('ixr:roles', AuditController)).toEqual(['auditor']);
    const routes = Object.getOwnPropertyNames(AuditController.prototype).filter((m) => m !== 'constructor');
    expect(routes.sort()).toEqual(['export', 'replay', 'timeline', 'verify']);
    for (const route of routes) {
      // No route overrides the class-level guard or roles.
      const handler = (AuditController.prototype as unknown as Record<string, object>)[route];
      expect(Reflect.getMetadata(GUARDS_METADATA, handler)).toBeUndefined();
      expect(Reflect.getMetadata('ixr:roles', handler)).toBeUndefined();
    }
  });
});
