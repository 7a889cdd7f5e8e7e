/**
 * The API documentation: `/openapi.json` (OpenAPI 3.1, generated from the zod schemas the
 * routes validate with, so it cannot drift) and `/docs`, a dependency-free page that renders
 * it — every operation with its summary, parameters, request body and responses.
 */
import type { FastifyInstance } from 'fastify';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Coffer API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/docs.css"></head>
<body><header><h1>Coffer API</h1><p><a href="/openapi.json">openapi.json</a></p></header>
<main id="operations">Loading…</main><script src="/docs/docs.js"></script></body></html>`;

const CSS = `body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem}
section{border:1px solid #ccd;border-radius:6px;margin:.6rem 0;padding:.4rem .8rem}
.m{display:inline-block;font-weight:700;min-width:4.5rem}.get{color:#05a}.post{color:#070}
.delete{color:#a00}.put,.patch{color:#a60}pre{background:#f5f5fa;overflow:auto;padding:.5rem}
h2{font-size:1.1rem;margin-top:1.6rem}`;

const SCRIPT = `(async () => {
  const spec = await (await fetch('/openapi.json')).json();
  const main = document.getElementById('operations');
  main.textContent = '';
  const el = (tag, props, ...kids) => { const e = document.createElement(tag); Object.assign(e, props); e.append(...kids); return e; };
  const json = (v) => el('pre', { textContent: JSON.stringify(v, null, 2) });
  const byTag = new Map();
  for (const [path, ops] of Object.entries(spec.paths)) for (const [method, op] of Object.entries(ops)) {
    const tag = (op.tags && op.tags[0]) || 'other';
    if (!byTag.has(tag)) byTag.set(tag, []);
    byTag.get(tag).push({ path, method, op });
  }
  for (const [tag, ops] of byTag) {
    main.append(el('h2', { textContent: tag }));
    for (const { path, method, op } of ops) {
      const details = el('details', {}, el('summary', {}, el('span', { className: 'm ' + method, textContent: method.toUpperCase() }), path + ' — ' + (op.summary || '')));
      if (op.parameters) details.append(el('h4', { textContent: 'Parameters' }), json(op.parameters));
      const body = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
      if (body) details.append(el('h4', { textContent: 'Request body' }), json(body.schema));
      for (const [status, r] of Object.entries(op.responses || {})) {
        const c = r.content && r.content['application/json'];
        details.append(el('h4', { textContent: 'Response ' + status }), c ? json(c.schema) : el('p', { textContent: r.description || '' }));
      }
      main.append(el('section', {}, details));
    }
  }
  if (spec.components) main.append(el('h2', { textContent: 'Schemas' }), json(spec.components.schemas));
})();`;

export function docsRoutes(app: FastifyInstance): void {
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  app.get('/docs', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(PAGE),
  );
  app.get('/docs/docs.js', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(SCRIPT),
  );
  app.get('/docs/docs.css', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/css; charset=utf-8').send(CSS),
  );
}
