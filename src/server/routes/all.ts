import type { RouteDefinition } from '../route.js'
import {
  createAdvisoryRoute,
  getAdvisoryRoute,
  listAdvisoriesRoute,
  listAdvisoryTransitionsRoute,
  setContainmentRoute,
  transitionAdvisoryRoute,
} from './advisories.js'
import { listAuditRoute, verifyAuditRoute } from './audit.js'
import { getDemoRoute, inventoryRoute, listAlertsRoute, listReleasesRoute, startDemoRoute } from './demo.js'
import { eventsRoute } from './events.js'
import { getAdvisoryLatencyRoute, getLatencySummaryRoute } from './latency.js'
import { healthRoute, openApiRoute, whoamiRoute } from './meta.js'
import { executeReleaseRoute, getJobRoute, planReleaseRoute, startValidationRoute, startVerificationRoute } from './operations.js'
import { approvePatchRoute, createPatchRoute, getPatchRoute, listApprovalSignersRoute, listPatchesRoute, registerApprovalSignerRoute, transitionPatchRoute } from './patches.js'
import { assessAdvisoryRiskRoute, assessRiskRoute, priceMultiChainWindowRoute } from './risk.js'
import { createTokenRoute, listTokensRoute, revokeTokenRoute } from './tokens.js'
import { confirmSafeTransactionRoute, getSignerViewRoute, listPendingSafeTransactionsRoute, proposeSafeTransactionRoute } from './safeTransactions.js'

/** Every route of the API. The server registers exactly these; the role-matrix test walks exactly these. */
export const apiRoutes: readonly RouteDefinition[] = [
  healthRoute,
  openApiRoute,
  whoamiRoute,
  listAdvisoriesRoute,
  createAdvisoryRoute,
  getAdvisoryRoute,
  listAdvisoryTransitionsRoute,
  transitionAdvisoryRoute,
  setContainmentRoute,
  getAdvisoryLatencyRoute,
  listPatchesRoute,
  createPatchRoute,
  getPatchRoute,
  transitionPatchRoute,
  approvePatchRoute,
  registerApprovalSignerRoute,
  listApprovalSignersRoute,
  startValidationRoute,
  planReleaseRoute,
  executeReleaseRoute,
  startVerificationRoute,
  getJobRoute,
  getLatencySummaryRoute,
  assessRiskRoute,
  assessAdvisoryRiskRoute,
  priceMultiChainWindowRoute,
  listAuditRoute,
  verifyAuditRoute,
  eventsRoute,
  listTokensRoute,
  createTokenRoute,
  revokeTokenRoute,
  proposeSafeTransactionRoute,
  confirmSafeTransactionRoute,
  listPendingSafeTransactionsRoute,
  getSignerViewRoute,
  inventoryRoute,
  getDemoRoute,
  startDemoRoute,
  listReleasesRoute,
  listAlertsRoute,
]
