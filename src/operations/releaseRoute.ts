import path from 'node:path'
import { getAddress } from 'viem'
import { canonicalMultiSend } from '../authorize/knownMultiSend.js'
import type { ProjectRelease } from '../config/projectSchema.js'
import type { ReleaseRouteConfig } from '../release/buildReleasePlan.js'
import { ReleasePlanInvalidError } from '../release/errors.js'
import type { ReleaseRouteName } from '../release/plan.js'

/** A route of the project file's `release` section as the release module takes it. */
export function releaseRouteOf(release: ProjectRelease, name: ReleaseRouteName, file: string): ReleaseRouteConfig {
  const route = release.routes[name]
  if (!route) throw new ReleasePlanInvalidError({ reason: `${path.basename(file)} configures no "${name}" route (release.routes.${name}).` })
  if (name === 'emergency') {
    const emergency = route as NonNullable<ProjectRelease['routes']['emergency']>
    return { name, safe: getAddress(emergency.safe), multiSendCallOnly: getAddress(emergency.multiSendCallOnly ?? canonicalMultiSend[1]!) }
  }
  const timelocked = route as { safe: string; timelock: string }
  return { name, safe: getAddress(timelocked.safe), timelock: getAddress(timelocked.timelock) }
}
