// Run Lighthouse on several pages with one Chromium and one Node process (a run of the CLI spends half its time
// starting both). Usage: node tests/lighthouse.mjs JOB.json, where the job file holds
// {"chrome": path, "flags": [...], "categories": [...], "runs": [{"url", "form": "mobile"|"desktop", "out"}]};
// each run's report (JSON) is written to its `out`. Lighthouse resets storage and cache before each page.
import fs from 'node:fs';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import * as chromeLauncher from 'chrome-launcher';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const chrome = await chromeLauncher.launch({chromePath: job.chrome, chromeFlags: job.flags});
try {
  for (const run of job.runs) {
    const flags = {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: job.categories,
      disableFullPageScreenshot: true,
      // Lighthouse waits for 1 s of network and main-thread quiet, and 1 s after first paint and after load, sized for
      // pages on real networks. These come from a local server with nothing from other hosts: 250 ms each gave the
      // same scores (every one 100) in 3.6 s a run instead of 5.5 s (9 runs: 40 s against 56 s, 2026-12-07).
      pauseAfterFcpMs: 250,
      pauseAfterLoadMs: 250,
      networkQuietThresholdMs: 250,
      cpuQuietThresholdMs: 250,
      skipAudits: ['bf-cache'], // weight 0 in every category; it navigates away and back (0.25 s a run)
    };
    const result = await lighthouse(run.url, flags, run.form === 'desktop' ? desktopConfig : undefined);
    fs.writeFileSync(run.out, result.report);
  }
} finally {
  await chrome.kill();
}
