/**
 * Where the dashboard's files are on disk: the static pages (collector/dashboard/, shipped beside
 * src/ and dist/) and the charting library uPlot (a collector dependency, served from
 * node_modules so the page makes no request beyond the collector; the machine may be offline).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DashboardAssets {
  /** collector/dashboard/: index.html, style.css, js/. */
  pagesDir: string;
  /** The files served under /dashboard/vendor/, by their name there. */
  vendorFiles: Record<string, string>;
}

/** The uPlot files the pages load: the ES module build and its stylesheet. */
const UPLOT_FILES = ['uPlot.esm.js', 'uPlot.min.css'] as const;

export function locateDashboardAssets(): DashboardAssets {
  // This module is collector/src/dashboard/*.ts or collector/dist/dashboard/*.js: both are two
  // levels below the package root, so the same relative path finds the pages from either.
  const pagesDir = fileURLToPath(new URL('../../dashboard/', import.meta.url));
  // uplot has no "exports" map, so its package.json resolves like any file; resolving from here
  // follows node_modules wherever npm placed the package (hoisted or not).
  const uplotRoot = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
  const vendorFiles: Record<string, string> = {};
  for (const name of UPLOT_FILES) vendorFiles[name] = join(uplotRoot, 'dist', name);
  return { pagesDir, vendorFiles };
}
