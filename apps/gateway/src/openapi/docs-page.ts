/**
 * GET /api/docs: a self-contained page (no CDN: installations may have no internet) that
 * fetches /api/docs-json and lays it out — operations by tag, parameters, bodies, responses,
 * and the schemas they reference. Everything is written with textContent: nothing in the
 * document is ever interpreted as HTML.
 */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Baton API</title>
<style>
  body { font: 14px/1.5 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f7f8fa; }
  header { background: #1d2330; color: #fff; padding: 16px 32px; }
  header p { margin: 4px 0 0; color: #c7cbd6; max-width: 960px; }
  main { padding: 16px 32px; max-width: 1100px; }
  h2 { margin-top: 32px; border-bottom: 1px solid #d6dae3; }
  details { background: #fff; border: 1px solid #d6dae3; border-radius: 6px; margin: 8px 0; }
  summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 12px; align-items: baseline; }
  .m { font: 600 12px monospace; text-transform: uppercase; width: 56px; text-align: center; border-radius: 4px; padding: 2px 0; color: #fff; }
  .get { background: #2f7d32; } .post { background: #1f5fbf; } .patch { background: #8a5a00; } .delete { background: #b3261e; }
  .p { font-family: monospace; font-weight: 600; }
  .body { padding: 0 16px 12px; }
  table { border-collapse: collapse; width: 100%; margin: 6px 0; }
  td, th { border-bottom: 1px solid #eceef2; text-align: left; padding: 4px 8px; vertical-align: top; }
  pre { background: #f0f2f6; padding: 8px; border-radius: 4px; overflow: auto; font-size: 12px; }
  a { color: #1f5fbf; }
  .muted { color: #667085; }
</style>
</head>
<body>
<header><h1 id="title">Baton API</h1><p id="intro"></p></header>
<main id="main"><p class="muted">Loading /api/docs-json…</p></main>
<script>
(function () {
  var main = document.getElementById('main');
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function schemaBlock(schema) {
    var pre = el('pre');
    var text = JSON.stringify(schema, null, 2);
    var re = /"#\\/components\\/schemas\\/([^"]+)"/g, last = 0, m;
    while ((m = re.exec(text))) {
      pre.appendChild(document.createTextNode(text.slice(last, m.index)));
      pre.appendChild(el('a', { href: '#schema-' + m[1] }, [m[0]]));
      last = m.index + m[0].length;
    }
    pre.appendChild(document.createTextNode(text.slice(last)));
    return pre;
  }
  function resolve(doc, obj) {
    if (obj && obj.$ref) return obj.$ref.split('/').slice(1).reduce(function (o, k) { return o && o[k]; }, doc);
    return obj;
  }
  /** A reference shows its name (a link to the schema) and the schema itself, one level deep. */
  function namedSchema(doc, schema) {
    if (!schema.$ref) return schemaBlock(schema);
    var name = schema.$ref.split('/').pop();
    return el('div', {}, [el('a', { href: '#schema-' + name }, [name]), schemaBlock(resolve(doc, schema))]);
  }
  function operation(doc, path, method, op) {
    var body = el('div', { class: 'body' });
    if (op.description) body.appendChild(el('p', {}, [op.description]));
    var baton = op['x-baton'] || {};
    var uses = [baton.commands && 'Sends ' + baton.commands.join(', '), baton.queries && 'Asks ' + baton.queries.join(', ')].filter(Boolean);
    if (uses.length) body.appendChild(el('p', { class: 'muted' }, [uses.join(' · ')]));
    body.appendChild(el('p', { class: 'muted' }, [op.security && op.security.length === 0 ? 'No token needed.' : 'Bearer token required.']));
    var params = (op.parameters || []).map(function (p) { return resolve(doc, p); });
    if (params.length) {
      var t = el('table', {}, [el('tr', {}, [el('th', {}, ['parameter']), el('th', {}, ['in']), el('th', {}, ['required']), el('th', {}, ['schema']), el('th', {}, ['description'])])]);
      params.forEach(function (p) {
        t.appendChild(el('tr', {}, [el('td', { class: 'p' }, [p.name]), el('td', {}, [p.in]), el('td', {}, [p.required ? 'yes' : 'no']), el('td', {}, [JSON.stringify(p.schema)]), el('td', {}, [p.description || ''])]));
      });
      body.appendChild(el('h4', {}, ['Parameters']));
      body.appendChild(t);
    }
    if (op.requestBody) {
      body.appendChild(el('h4', {}, ['Request body' + (op.requestBody.required ? '' : ' (optional)')]));
      body.appendChild(namedSchema(doc, op.requestBody.content['application/json'].schema));
    }
    body.appendChild(el('h4', {}, ['Responses']));
    Object.keys(op.responses).forEach(function (status) {
      var r = resolve(doc, op.responses[status]);
      body.appendChild(el('p', {}, [el('b', {}, [status]), ' ' + (r.description || '')]));
      if (status < 400 && r.content) Object.keys(r.content).forEach(function (type) {
        body.appendChild(el('div', { class: 'muted' }, [type]));
        body.appendChild(namedSchema(doc, r.content[type].schema));
      });
    });
    return el('details', { id: op.operationId }, [el('summary', {}, [el('span', { class: 'm ' + method }, [method]), el('span', { class: 'p' }, [path]), el('span', {}, [op.summary || ''])]), body]);
  }
  fetch('docs-json').then(function (r) { return r.json(); }).then(function (doc) {
    document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
    document.getElementById('intro').textContent = doc.info.description || '';
    main.textContent = '';
    main.appendChild(el('p', {}, ['Machine-readable: ', el('a', { href: 'docs-json' }, ['/api/docs-json']), ' (OpenAPI ' + doc.openapi + ').']));
    (doc.tags || []).forEach(function (tag) {
      main.appendChild(el('h2', { id: 'tag-' + tag.name }, [tag.name]));
      main.appendChild(el('p', { class: 'muted' }, [tag.description || '']));
      Object.keys(doc.paths).forEach(function (path) {
        Object.keys(doc.paths[path]).forEach(function (method) {
          var op = doc.paths[path][method];
          if ((op.tags || [])[0] === tag.name) main.appendChild(operation(doc, path, method, op));
        });
      });
    });
    main.appendChild(el('h2', {}, ['Schemas']));
    Object.keys(doc.components.schemas).sort().forEach(function (name) {
      main.appendChild(el('details', { id: 'schema-' + name }, [el('summary', {}, [el('span', { class: 'p' }, [name])]), el('div', { class: 'body' }, [schemaBlock(doc.components.schemas[name])])]));
    });
    if (location.hash) { var target = document.getElementById(location.hash.slice(1)); if (target) { target.open = true; target.scrollIntoView(); } }
  }).catch(function (e) { main.textContent = 'Could not load /api/docs-json: ' + e; });
  window.addEventListener('hashchange', function () { var t = document.getElementById(location.hash.slice(1)); if (t) t.open = true; });
})();
</script>
</body>
</html>
`;
