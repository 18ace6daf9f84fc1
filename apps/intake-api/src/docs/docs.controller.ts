import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/route-access';
import type { DocsPage } from './docs-page';

export const OPENAPI_DOCUMENT = Symbol('OPENAPI_DOCUMENT');
export const DOCS_PAGE = Symbol('DOCS_PAGE');

/** The API documents, public: they describe the API, they hold no data. */
@Controller()
export class DocsController {
  constructor(
    @Inject(OPENAPI_DOCUMENT) private readonly document: Record<string, unknown>,
    @Inject(DOCS_PAGE) private readonly page: DocsPage,
  ) {}

  @Get('openapi.json')
  @Public()
  openapi(): Record<string, unknown> {
    return this.document;
  }

  @Get('docs')
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  docs(@Res({ passthrough: true }) reply: FastifyReply): string {
    void reply.header('content-security-policy', this.page.contentSecurityPolicy);
    return this.page.html;
  }
}
