/**
 * The dashboard's routes on the collector's express app (issue 4): the single-page app at
 * GET /dashboard/ with its assets, uPlot under /dashboard/vendor/, and GET / redirecting there.
 * The pages read everything through the HTTP API (/api/v1/...) with the key the user enters, so
 * serving them needs no credentials: they hold no data.
 */
import type { ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import { locateDashboardAssets } from './dashboard-assets.js';

/**
 * Span names, prompts and completions are user data rendered by these pages; the pages never
 * build HTML from data, and this policy is the second line: only our own scripts, styles and
 * API calls (uPlot sets styles through the CSSOM, which style-src does not restrict).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function mountDashboard(app: Express): void {
  const assets = locateDashboardAssets();
  const secure = (res: ServerResponse): void => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
  };

  app.get('/', (_req, res) => {
    res.redirect(302, '/dashboard/');
  });
  for (const [name, file] of Object.entries(assets.vendorFiles)) {
    app.get(`/dashboard/vendor/${name}`, (_req, res, next) => {
      secure(res);
      res.sendFile(file, (err) => {
        if (err) next(err);
      });
    });
  }
  // GET /dashboard (no slash) is redirected to /dashboard/ by serve-static, so the pages'
  // relative URLs (style.css, js/app.js) resolve under /dashboard/.
  app.use(
    '/dashboard',
    express.static(assets.pagesDir, {
      index: 'index.html',
      dotfiles: 'ignore',
      setHeaders: secure,
    }),
  );
}
