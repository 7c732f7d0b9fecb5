// Validates the platform's DCAT-AP feed against the official DCAT-AP 3.0.1
// SHACL shapes (shapes.ttl + range.ttl from ../shared/external/dcat-ap-3.0.1).
// Usage: node validate-dcat.mjs SHAPES_DIR FILE.ttl|FILE.jsonld ...
import { readFileSync } from 'node:fs';
import N3 from 'n3';
import jsonld from 'jsonld';
import SHACLValidator from 'rdf-validate-shacl';
import rdf from '@zazuko/env';

const factory = rdf;
const parseTurtle = (text) => new N3.Parser().parse(text);
async function load(file) {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.jsonld')) {
    const nquads = await jsonld.toRDF(JSON.parse(text), { format: 'application/n-quads' });
    return new N3.Parser({ format: 'N-Quads' }).parse(nquads);
  }
  return parseTurtle(text);
}

const [dir, ...files] = process.argv.slice(2);
if (!dir || files.length === 0) { console.error('usage: node validate-dcat.mjs SHAPES_DIR FILE...'); process.exit(2); }
const shapes = factory.dataset([...parseTurtle(readFileSync(`${dir}/shapes.ttl`, 'utf8')), ...parseTurtle(readFileSync(`${dir}/range.ttl`, 'utf8'))]);
let failed = 0;
for (const file of files) {
  const quads = await load(file);
  const validator = new SHACLValidator(shapes, { factory });
  const report = await validator.validate(factory.dataset(quads));
  const violations = report.results.filter((r) => r.severity?.value?.endsWith('Violation'));
  const warnings = report.results.length - violations.length;
  console.log(`${violations.length ? 'FAIL' : 'ok  '} ${file}: ${quads.length} triples, ${violations.length} violations, ${warnings} warnings or infos`);
  for (const r of report.results.slice(0, 20)) {
    console.log(`     ${r.severity?.value?.split('#')[1]} ${r.focusNode?.value} ${r.path?.value}: ${r.message.map((m) => m.value).join('; ')}`);
  }
  if (violations.length) failed++;
}
process.exit(failed ? 1 : 0);
