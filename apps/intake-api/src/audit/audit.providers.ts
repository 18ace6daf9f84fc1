import type { Provider, Type } from '@nestjs/common';
import { AUDIT_SETTINGS, loadAuditSettings } from '@ixr/exchange-log-store';
import { AuditController } from './audit.controller';
import { AuditJustificationGuard } from './audit-justification.guard';
import { AuditService } from './audit.service';

/** The audit API's part of the intake module (its one registration in intake.module.ts). */
export function auditApi(): { controllers: Type[]; providers: Provider[] } {
  return {
    controllers: [AuditController],
    providers: [
      { provide: AUDIT_SETTINGS, useValue: loadAuditSettings() },
      AuditJustificationGuard,
      AuditService,
    ],
  };
}
