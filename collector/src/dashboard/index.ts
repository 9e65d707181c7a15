/** The web dashboard served by the collector: `mountDashboard(app)` adds its routes. */
export { mountDashboard } from './dashboard-routes.js';
