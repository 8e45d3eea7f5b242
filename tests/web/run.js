#!/usr/bin/env node
/* Browser tests of the status page: Debian's Chromium, headless, driven by
 * playwright-core at phone viewports, against build/heatpadd in simulation
 * mode. Each test checks the page, the daemon's own state (its API) and
 * the simulated relay's own record. Every state a test reaches is also
 * checked with axe-core, for tap targets and text sizes (checks.js), and
 * screenshot under build/screenshots/. A test whose daemon feature is
 * missing reports SKIP with what it needs.
 *
 *   node run.js                        every group
 *   node run.js --only existing        one group (existing, states, features;
 *                                      several: --only states,features)
 *   node run.js --no-checks            the tests' own asserts only
 *   node run.js 'name|name'            only the tests whose names contain one
 *                                      (or HEATPAD_BROWSER_ONLY)
 *
 * Ends with "browser: N passed, N failed, N skipped". */
'use strict';

const { chromium } = require('playwright-core');
const { run, Skip } = require('./lib');
const checks = require('./checks');
const existingTests = require('./existing');
const { stateTests } = require('./states');
const featureTests = require('./features');

function parseArgs(argv) {
  const o = { only: [], checks: true, names: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') o.only = argv[++i].split(',');
    else if (argv[i] === '--no-checks') o.checks = false;
    else o.names = argv[i].split('|').filter(Boolean);
  }
  if (!o.names.length && process.env.HEATPAD_BROWSER_ONLY)
    o.names = process.env.HEATPAD_BROWSER_ONLY.split('|').filter(Boolean);
  return o;
}

const TESTS = [];
const group = (g) => (name, fn) => TESTS.push({ group: g, name, fn });
const NEEDS_MERGED_DAEMON = existingTests(group('existing'));
stateTests(group('states'));
featureTests(group('features'));

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  for (const g of opt.only)
    if (!TESTS.some((t) => t.group === g)) throw new Error('no such group: ' + g);
  for (const n of NEEDS_MERGED_DAEMON)
    if (!TESTS.some((t) => t.name === n)) throw new Error('no such test: ' + n);
  run.browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    /* playwright gives each launch a fresh, empty --user-data-dir of its own. */
  });
  let passed = 0, failed = 0, skipped = 0;
  const checkFailed = [];
  for (const t of TESTS) {
    if (opt.only.length && !opt.only.includes(t.group)) continue;
    if (opt.names.length && !opt.names.some((o) => t.name.includes(o))) continue;
    const t0 = Date.now();
    const state = { found: [] };
    run.pageErrors = [];
    run.checkState = opt.checks
      ? async (page, label) => { state.found.push(...await checks.checkHere(page, label)); }
      : null;
    try {
      await t.fn(state);
      if (run.pageErrors.length) throw new Error('page error: ' + run.pageErrors.join('; '));
      if (opt.checks && state.found.length) {
        failed++;
        checkFailed.push(t.name);
        console.log(`FAIL ${t.name} ${((Date.now() - t0) / 1000).toFixed(1)}s: its own asserts passed; ` +
          `the checks found ${state.found.length}:\n    ` + state.found.join('\n    '));
        continue;
      }
      passed++;
      console.log(`ok   ${t.name} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    } catch (e) {
      if (e instanceof Skip && !run.pageErrors.length) {
        skipped++;
        console.log(`SKIP ${t.name}: ${e.message}` +
          (NEEDS_MERGED_DAEMON.includes(t.name) ? ' (needs the merged daemon)' : ''));
        continue;
      }
      failed++;
      console.log(`FAIL ${t.name}\n  ${e.stack}` +
        (state.found.length ? '\n  and the checks found:\n    ' + state.found.join('\n    ') : ''));
    }
  }
  await run.browser.close();
  if (checkFailed.length)
    console.log(`${checkFailed.length} of the failures are the checks alone (axe, targets, text, reflow)`);
  console.log(`browser: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
