import type { Exposure, RouteName, Severity } from './model.js'

/**
 * A documented source for a prior: the incident, the figure taken from it, and how the figure
 * becomes a parameter. `docs/risk.md` prints this table; a prior without a source does not compile.
 */
export type PriorSource = { incident: string; figure: string; reference: string; mapping: string }

/** A log-normal prior stated the way people reason about it: a median and a 90th percentile. */
export type LatencyPrior = { medianHours: number; p90Hours: number; source: PriorSource }

export type RiskPriors = {
  /** Median hours from `now` to the first exploit for a critical flaw at each exposure (rate = ln 2 / median). */
  criticalMedianHoursToExploit: Record<Exposure, { hours: number; source: PriorSource }>
  /** Hazard multiplier per severity (critical = 1). */
  severityHazardFactor: Record<Severity, { factor: number; source: PriorSource }>
  /** Latency from the decision to the release being live, per route (standard adds the governance delay on top). */
  routeLatency: Record<RouteName, LatencyPrior>
  /** Latency from the decision to the pause being live. */
  pauseLatency: LatencyPrior
  /** Hours the fix is visible before an emergency release when the project does not say. */
  emergencyVisibleHours: { hours: number; source: PriorSource }
  /** Governance delay of the standard route when the project does not say. */
  standardDelayHours: { hours: number; source: PriorSource }
  /**
   * Epistemic uncertainty of the hazard: each Monte Carlo sample multiplies every rate by
   * exp(sigma · z). 0 turns it off (and makes the closed form exact for deterministic latency).
   */
  hazardLogSigma: { sigma: number; source: PriorSource }
  /** Samples of the project's own history a route needs before they replace the prior. */
  minHistorySamples: number
}

const judgement = (figure: string, mapping: string): PriorSource => ({
  incident: 'judgement (no incident measures it)',
  figure,
  reference: 'docs/risk.md#calibration — replace with the project backtest',
  mapping,
})

/** Priors shipped with Bulwark. Each figure is from a public post-mortem (see docs/risk.md for the full table). */
export const defaultPriors: RiskPriors = Object.freeze({
  criticalMedianHoursToExploit: {
    private: {
      hours: 720,
      source: {
        incident: 'Aave GHO, Aug 2023; Aave v2/v3, Nov 2023 (no public incident measures this rate directly)',
        figure: 'both flaws were reported privately and fixed over hours to days without being exploited',
        reference: 'https://governance.aave.com/t/temporarily-pausing-gho-integration-in-aave/14626; https://governance.aave.com/t/aave-v2-v3-security-incident-04-11-2023/15335',
        mapping: 'judgement: median 30 days (720 h) to independent rediscovery and exploitation of a critical flaw known only to the team; the weakest prior, replace it from the backtest',
      },
    },
    public: {
      hours: 120,
      source: {
        incident: 'Balancer boosted pools, Aug 2023',
        figure: 'pools past their pause window were exploited 5 days after the public disclosure of a critical vulnerability (22 → 27 Aug)',
        reference: 'https://medium.com/balancer-protocol/rate-manipulation-in-balancer-boosted-pools-technical-postmortem-53db4b642492; https://forum.balancer.fi/t/vulnerability-found-in-some-pools/5102',
        mapping: 'median 5 days (120 h) from a public alert (no technical details) to exploitation',
      },
    },
    'fix-visible': {
      hours: 12,
      source: {
        incident: 'Wormhole, Feb 2022',
        figure: 'the fix was public on GitHub before it was deployed; the attacker exploited the flaw before deployment (~6 h from exploit to patch)',
        reference: 'https://wormholecrypto.medium.com/wormhole-incident-report-02-02-22-ad9b8f21eec6',
        mapping: 'median 12 h from the fix becoming readable (commit, timelock calldata, deployed implementation) to exploitation',
      },
    },
    exploited: {
      hours: 0.5,
      source: {
        incident: 'Nomad bridge, Aug 2022; Yearn yDAI, Feb 2021',
        figure: 'Nomad: ~2.5 h from the first exploit to a drained bridge, hundreds of copycat addresses; Yearn: 11 attack transactions over 38 min',
        reference: 'https://cryptoslate.com/nomad-bridge-drained-of-190m-after-hundreds-of-addresses-copy-hackers-code; https://github.com/yearn/yearn-security/blob/master/disclosures/2021-02-04.md',
        mapping: 'median 0.5 h to the next exploit once exploitation is public on chain; drains finish in under an hour, so a loss is taken whole',
      },
    },
  },
  severityHazardFactor: {
    critical: { factor: 1, source: judgement('reference level', 'the exposure medians above are for critical flaws') },
    high: { factor: 0.5, source: judgement('high flaws need more conditions or capital', 'half the critical hazard') },
    medium: { factor: 0.2, source: judgement('medium flaws are harder to weaponize or less profitable', 'one fifth of the critical hazard') },
    low: { factor: 0.05, source: judgement('low flaws are rarely worth an attack', 'one twentieth of the critical hazard') },
  },
  routeLatency: {
    standard: {
      medianHours: 24,
      p90Hours: 72,
      source: {
        incident: 'Compound Proposal 62, Sep–Oct 2021',
        figure: 'the fix (Proposal 64) needed the full 7-day governance path while COMP was mis-distributed',
        reference: 'https://compound.finance/governance/proposals/62',
        mapping: 'preparation (patch, validation, proposal) median 24 h, p90 72 h; the governance delay (default 168 h) is added on top and the calldata is public for all of it',
      },
    },
    emergency: {
      medianHours: 6,
      p90Hours: 24,
      source: {
        incident: 'Wormhole, Feb 2022',
        figure: '~6 h from the exploit to the patched contract (guardians halted relaying, then upgraded)',
        reference: 'https://wormholecrypto.medium.com/wormhole-incident-report-02-02-22-ad9b8f21eec6',
        mapping: 'emergency-council release median 6 h, p90 24 h',
      },
    },
    private: {
      medianHours: 12,
      p90Hours: 48,
      source: judgement(
        'a private release needs the emergency council plus a private submission channel and a deployer that does not leak the implementation first',
        'median 12 h, p90 48 h: twice the emergency route, for the extra coordination',
      ),
    },
  },
  pauseLatency: {
    medianHours: 9,
    p90Hours: 36,
    source: {
      incident: 'Aave GHO, Aug 2023',
      figure: '~9 h from the user report (24 Aug 16:37 CET) to the Aave Guardian pausing the GHO reserve (25 Aug 01:37 CET)',
      reference: 'https://governance.aave.com/t/temporarily-pausing-gho-integration-in-aave/14626',
      mapping: 'pause latency median 9 h, p90 36 h; a project with automated pausing replaces it with its own history',
    },
  },
  emergencyVisibleHours: {
    hours: 1,
    source: judgement(
      'a Safe transaction is visible in the transaction service while signatures are collected, and the new implementation is usually deployed before the upgrade',
      '1 h of fix-visible exposure before an emergency release',
    ),
  },
  standardDelayHours: {
    hours: 168,
    source: {
      incident: 'Compound Proposal 62, Sep–Oct 2021',
      figure: '7-day governance path (review, vote, timelock)',
      reference: 'https://compound.finance/governance/proposals/62',
      mapping: 'default governance delay of the standard route when the project gives no timelock delay: 168 h',
    },
  },
  hazardLogSigma: {
    sigma: 0.5,
    source: judgement('the hazard medians are single-incident readings', 'rates vary by a factor of ~1.6 (one sigma) between Monte Carlo samples'),
  },
  minHistorySamples: 5,
})

/** Log-normal parameters from a median and a p90 (z₀.₉ = 1.2816). */
export function lognormalFromQuantiles(medianHours: number, p90Hours: number): { mu: number; sigma: number } {
  return { mu: Math.log(medianHours), sigma: Math.max(0, Math.log(p90Hours / medianHours) / 1.2815515655446004) }
}
