// End-to-end: a citizen files a demand, the institution answers it, the
// citizen sees the answer — in headless Chromium against a running demo
// server. Usage: BASE_URL=http://127.0.0.1:8090 DEMO_PASSWORD=… node feedback.mjs
import { chromium } from 'playwright-core';
import { mkdirSync, existsSync } from 'node:fs';

const base = process.env.BASE_URL || 'http://127.0.0.1:8090';
const password = process.env.DEMO_PASSWORD;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!password) { console.error('DEMO_PASSWORD is required'); process.exit(2); }
if (!existsSync(executablePath)) { console.log(`SKIP: no Chromium at ${executablePath} (apt-get install -y chromium)`); process.exit(0); }
mkdirSync('out', { recursive: true });

const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
    '--no-first-run', '--disable-component-update', '--disable-sync'],
});
let failed = 0;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failed++; };

async function login(page, username) {
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('#login-submit')]);
  check((await page.textContent('#who'))?.length > 0, `${username} logged in`);
}

async function logout(page) {
  await Promise.all([page.waitForNavigation(), page.click('form[action="/logout"] button')]);
}

try {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  const cspErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') cspErrors.push(m.text()); });

  // 1. The citizen files a demand with the market regulator.
  await login(page, 'citizen');
  await page.goto(`${base}/cases/new`);
  await page.selectOption('#target', { label: '昆明市市场监督管理局' });
  await page.check('input[name=kind][value=demand]');
  await page.fill('#resource', '企业年报公示信息');
  const demand = `请开放企业年报公示信息的批量下载（端到端测试 ${Date.now()}）`;
  await page.fill('#content', demand);
  await Promise.all([page.waitForNavigation(), page.click('#submit-case')]);
  const caseURL = page.url();
  check(/\/cases\/[0-9a-f-]{36}$/.test(caseURL), `case created at ${caseURL}`);
  check((await page.textContent('#case-state')).includes('已提交'), 'case is submitted');
  check((await page.textContent('#case-due')).match(/\d{4}-\d{2}-\d{2}/) !== null, 'case shows its working-day deadline');
  await page.screenshot({ path: 'out/1-citizen-filed.png', fullPage: true });
  await logout(page);

  // 2. The institution's data officer answers it.
  await login(page, 'data.officer');
  await page.goto(`${base}/cases?box=todo`);
  check((await page.textContent('#case-list')).includes('企业年报公示信息'), 'the demand is in the institution\'s to-do list');
  await page.goto(caseURL);
  const reply = '企业年报公示信息已列入开放计划，将于下月在开放门户提供批量下载。';
  await page.fill('#comment', reply);
  await Promise.all([page.waitForNavigation(), page.click('#approve')]);
  check((await page.textContent('#case-state')).includes('已办结'), 'the institution closed the case with its reply');
  await page.screenshot({ path: 'out/2-institution-replied.png', fullPage: true });
  await logout(page);

  // 3. The citizen sees the answer, and a notice about it.
  await login(page, 'citizen');
  await page.goto(caseURL);
  check((await page.textContent('#case-reply')).includes(reply), 'the citizen sees the reply');
  check((await page.textContent('#timeline')).includes('答复并办结') || (await page.textContent('#timeline')).includes('同意'), 'the timeline shows the decision');
  await page.goto(`${base}/notices`);
  check((await page.textContent('#notices')).includes('已办结'), 'the citizen got a notice');
  await page.screenshot({ path: 'out/3-citizen-sees-answer.png', fullPage: true });

  // 4. Anyone searches the open catalog and opens a resource.
  await page.goto(`${base}/lang?to=zh-CN&back=/catalog`);
  await page.fill('#q', '许可');
  await Promise.all([page.waitForNavigation(), page.click('form[role=search] button[type=submit]')]);
  check(Number((await page.textContent('#hit-count')).match(/\d+/)[0]) > 0, 'the open catalog finds 许可');
  await Promise.all([page.waitForNavigation(), page.click('#hits a')]);
  check((await page.textContent('#items')).length > 0, 'a resource page shows its data items');
  await page.screenshot({ path: 'out/4-catalog-resource.png', fullPage: true });

  // 5. Open data: the public previews and downloads a resource's data; its
  // data officer uploads a new version through the form and sees it land.
  const list = await (await page.request.get(`${base}/api/3/action/package_list`)).json();
  let openID = '';
  for (const id of list.result) {
    const pkg = await (await page.request.get(`${base}/api/3/action/package_show?id=${id}`)).json();
    if (pkg.result.resources.length > 0 && pkg.result.organization.title.includes('市场监督')) { openID = id; break; }
  }
  check(openID !== '', 'CKAN lists an open resource with data');
  await page.goto(`${base}/lang?to=zh-CN&back=/catalog/${openID}`);
  check((await page.locator('#preview tbody tr').count()) > 0, 'the resource page previews its data');
  const csv = await (await page.request.get(`${base}/open/${openID}/download.csv`)).text();
  const lines = csv.trim().split('\n');
  check(lines.length > 10, `the CSV download has ${lines.length - 1} rows`);
  const pkgDesc = await (await page.request.get(`${base}/api/v1/open/${openID}/datapackage.json`)).json();
  check(pkgDesc.resources[0].schema.fields.length === lines[0].split(',').length, 'datapackage.json describes every column');
  await page.screenshot({ path: 'out/5-open-data.png', fullPage: true });
  await login(page, 'data.officer');
  await page.goto(`${base}/datasets/${openID}`);
  await page.screenshot({ path: 'out/5-dataset.png', fullPage: true });
  const edited = [lines[0], ...lines.slice(1, 6)].join('\n') + '\n';
  await page.selectOption('#mode', 'replace');
  await page.setInputFiles('#file', { name: '更新.csv', mimeType: 'text/csv', buffer: Buffer.from(edited) });
  await Promise.all([page.waitForNavigation(), page.click('#upload-submit')]);
  check(/\/loads\//.test(page.url()), 'the upload leads to its load page');
  for (let i = 0; i < 20 && !(await page.textContent('#load-status')).includes('已入库'); i++) {
    await page.waitForTimeout(500);
    await page.reload();
  }
  check((await page.textContent('#load-status')).includes('已入库'), 'the load is committed');
  check((await page.textContent('#rows-loaded')).trim() === '5', 'five rows were stored');
  check((await page.textContent('#quality-score')).trim().length > 0, 'the load has a quality score');
  await page.screenshot({ path: 'out/5-load.png', fullPage: true });
  await page.goto(`${base}/datasets/freshness?late=1`);
  check((await page.textContent('main')).includes('逾期'), 'late resources are listed');
  await logout(page);

  // 6. English works too.
  await page.goto(`${base}/lang?to=en&back=/profile`);
  check((await page.textContent('h1')).includes('Policy profile'), 'the profile page is available in English');
  check(cspErrors.length === 0, `no console errors (${cspErrors.join(' | ')})`);
} catch (e) {
  console.error(e);
  failed++;
} finally {
  await browser.close();
}
console.log(failed ? `e2e: ${failed} check(s) FAILED` : 'e2e: all checks passed');
process.exit(failed ? 1 : 0);
