// Generated from GET /openapi.json by `npm run api-types` (src/server/writeWebApiTypes.ts). Do not edit:
// src/server/webApiTypes.test.ts fails when this file differs from what the server serves.

/** Every API operation, keyed `METHOD /path` as in the OpenAPI document. */
export type Operations = {
  /** Advisories the caller may see, newest first (embargoed ones it is not cleared for are left out). */
  "GET /advisories": {
    params: Record<string, never>
    query: {
      status?: "reported" | "triaged" | "patching" | "released" | "verified" | "disclosed" | "withdrawn"
      severity?: "low" | "medium" | "high" | "critical"
      limit?: number
      offset?: number
    }
    body: undefined
    response: {
      advisories: {
        id: string
        title: string
        description: string
        severity: "low" | "medium" | "high" | "critical"
        status: "reported" | "triaged" | "patching" | "released" | "verified" | "disclosed" | "withdrawn"
        containment: "none" | "contained" | "lifted"
        affectedContracts: {
          address: string
          chain?: string
          name?: string
        }[]
        reporter: string
        discoveredAt: string
        reportedAt: string
        embargoed: boolean
        clearedActors: string[]
        alertIds: string[]
        updatedAt: string
      }[]
    }
  }
  /** Records a new advisory in `reported`. */
  "POST /advisories": {
    params: Record<string, never>
    query: Record<string, never>
    body: {
      title: string
      description?: string
      severity: "low" | "medium" | "high" | "critical"
      affectedContracts?: {
        address: string
        chain?: string
        name?: string
      }[]
      reporter: string
      discoveredAt?: unknown | string
      embargoed?: boolean
      clearedActors?: string[]
      alertIds?: string[]
    }
    response: {
      advisory: {
        id: string
        title: string
        description: string
        severity: "low" | "medium" | "high" | "critical"
        status: "reported" | "triaged" | "patching" | "released" | "verified" | "disclosed" | "withdrawn"
        containment: "none" | "contained" | "lifted"
        affectedContracts: {
          address: string
          chain?: string
          name?: string
        }[]
        reporter: string
        discoveredAt: string
        reportedAt: string
        embargoed: boolean
        clearedActors: string[]
        alertIds: string[]
        updatedAt: string
      }
      transition: {
        id: number
        machine: "advisory" | "containment" | "patch"
        subjectId: string
        advisoryId: string
        from: string | null
        to: string
        at: string
        actor: {
          id: string
          roles: ("admin" | "responder" | "auditor" | "signer" | "viewer")[]
        }
        evidence: {
          note?: string
          links?: string[]
          data?: {
            [key: string]: unknown
          }
        }
        override?: string
        auditSeq: number
      }
    }
  }
  /** One advisory; 404 BW_ADVISORY_NOT_FOUND when absent or embargoed from the caller (the same answer). */
  "GET /advisories/{id}": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: undefined
    response: {
      advisory: {
        id: string
        title: string
        description: string
        severity: "low" | "medium" | "high" | "critical"
        status: "reported" | "triaged" | "patching" | "released" | "verified" | "disclosed" | "withdrawn"
        containment: "none" | "contained" | "lifted"
        affectedContracts: {
          address: string
          chain?: string
          name?: string
        }[]
        reporter: string
        discoveredAt: string
        reportedAt: string
        embargoed: boolean
        clearedActors: string[]
        alertIds: string[]
        updatedAt: string
      }
    }
  }
  /** Records that the protocol was contained (pause, lockdown, circuit breaker) or that containment was lifted. */
  "POST /advisories/{id}/containment": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: {
      to: "contained" | "lifted"
      evidence?: {
        note?: string
        links?: string[]
        data?: {
          [key: string]: unknown
        }
      }
      expectedContainment?: "none" | "contained" | "lifted"
    }
    response: {
      advisory: {
        id: string
        title: string
        description: string
        severity: "low" | "medium" | "high" | "critical"
        status: "reported" | "triaged" | "patching" | "released" | "verified" | "disclosed" | "withdrawn"
        containment: "none" | "contained" | "lifted"
        affectedContracts: {
          address: string
          chain?: string
          name?: string
        }[]
        reporter: string
        discoveredAt: string
        reportedAt: string
        embargoed: boolean
        clearedActors: string[]
        alertIds: string[]
        updatedAt: string
      }
      transition: {
        id: number
        machine: "advisory" | "containment" | "patch"
        subjectId: string
        advisoryId: string
        from: string | null
        to: string
        at: string
        actor: {
          id: string
          roles: ("admin" | "responder" | "auditor" | "signer" | "viewer")[]
        }
        evidence: {
          note?: string
          links?: string[]
          data?: {
            [key: string]: unknown
          }
        }
        override?: string
        auditSeq: number
      }
    }
  }
  /** The advisory's latency: time per stage, whole-incident measures and the exposure window, in milliseconds. */
  "GET /advisories/{id}/latency": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: undefined
    response: {
      latency: {
        advisoryId: string
        severity: "low" | "medium" | "high" | "critical"
        status: "reported" | "triaged" | "patching" | "released" | "verified" | "disclosed" | "withdrawn"
        discoveredAt: string
        patchId?: string
        route?: "standard" | "emergency" | "private"
        stages: {
          report?: number
          triage?: number
          fix?: number
          validation?: number
          approval?: number
          release?: number
          verification?: number
          disclosure?: number
        }
        current?: {
          stage: "report" | "triage" | "fix" | "validation" | "approval" | "release" | "verification" | "disclosure"
          since: string
          elapsedMs: number
        }
        measures: {
          timeToContainment?: number
          timeToRelease?: number
          timeToVerification?: number
        }
        exposureWindow: {
          ms: number
          open: boolean
          endedBy?: "containment" | "verified-release"
        }
        timeInState: {
          advisory: {
            reported?: number
            triaged?: number
            patching?: number
            released?: number
            verified?: number
            disclosed?: number
            withdrawn?: number
          }
          containment: {
            [key: string]: number
          }
          patches: {
            patchId: string
            route: "standard" | "emergency" | "private"
            status: "proposed" | "validating" | "validated" | "rejected" | "awaiting_approval" | "approved" | "scheduled" | "released" | "verified" | "withdrawn"
            timeInState: {
              proposed?: number
              validating?: number
              validated?: number
              rejected?: number
              awaiting_approval?: number
              approved?: number
              scheduled?: number
              released?: number
              verified?: number
              withdrawn?: number
            }
          }[]
        }
      }
    }
  }
  /** Probability of exploit before release and expected loss per route option for this advisory, with the recommended route and chart data. */
  "POST /advisories/{id}/risk": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: {
      exposure?: "private" | "public" | "fix-visible" | "exploited"
      valueAtRiskUsd: number
      unpausableShare: number
      constraints: {
        routes: ("standard" | "emergency" | "private")[]
        timelockDelayHours: number
        pauseAvailable: boolean
        emergencyVisibleHours?: number
      }
      pauseCostUsdPerHour?: number
      samples?: number
      seed?: number
      now?: string
    }
    response: {
      advisoryId: string
      assessment: {
        version: 1
        input: {
          severity: "low" | "medium" | "high" | "critical"
          exposure: "private" | "public" | "fix-visible" | "exploited"
          discoveredAt: string
          now: string
          valueAtRiskUsd: number
          unpausableShare: number
          contained: boolean
          constraints: {
            routes: ("standard" | "emergency" | "private")[]
            timelockDelayHours: number
            pauseAvailable: boolean
            emergencyVisibleHours?: number
          }
          pauseCostUsdPerHour?: number
        }
        samples: number
        seed: number
        hazardPerHour: {
          private: number
          public: number
          "fix-visible": number
          exploited: number
        }
        options: {
          id: string
          route: "standard" | "emergency" | "private"
          pauseFirst: boolean
          latency: {
            source: {
              kind: "history"
              samples: number
            } | {
              kind: "prior"
              prior: string
            }
            p10Hours: number
            medianHours: number
            p90Hours: number
            fixedHours: number
            visibleHours: number
          }
          pauseLatency?: {
            source: {
              kind: "history"
              samples: number
            } | {
              kind: "prior"
              prior: string
            }
            p10Hours: number
            medianHours: number
            p90Hours: number
          }
          pExploit: number
          pExploitStdErr: number
          pExploitInterval95: number[]
          expectedLossUsd: number
          expectedLossStdErr: number
          expectedPauseCostUsd: number
          expectedCostUsd: number
          medianExposureWindowHours: number
          closedForm?: {
            pExploit: number
            expectedLossUsd: number
          }
        }[]
        recommendation: {
          optionId: string
          route: "standard" | "emergency" | "private"
          pauseFirst: boolean
          pExploit: number
          expectedLossUsd: number
          expectedCostUsd: number
          ranking: string[]
          runnerUp?: {
            optionId: string
            pExploit: number
            expectedLossUsd: number
            expectedCostUsd: number
          }
          withinNoise: boolean
          explanation: string[]
        }
        chart: {
          unit: "hours"
          startsAt: string
          hoursSinceDiscovery: number
          series: {
            id: string
            points: {
              hours: number
              probability: number
            }[]
            release: {
              p10Hours: number
              medianHours: number
              p90Hours: number
            }
          }[]
        }
      }
    }
  }
  /** The advisory's timeline: its own, its containment's and its patches' transitions, oldest first. */
  "GET /advisories/{id}/transitions": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: undefined
    response: {
      transitions: {
        id: number
        machine: "advisory" | "containment" | "patch"
        subjectId: string
        advisoryId: string
        from: string | null
        to: string
        at: string
        actor: {
          id: string
          roles: ("admin" | "responder" | "auditor" | "signer" | "viewer")[]
        }
        evidence: {
          note?: string
          links?: string[]
          data?: {
            [key: string]: unknown
          }
        }
        override?: string
        auditSeq: number
      }[]
    }
  }
  /** Moves the advisory along its state machine (409 BW_TRANSITION_ILLEGAL names the allowed moves). */
  "POST /advisories/{id}/transitions": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: {
      to: "reported" | "triaged" | "patching" | "released" | "verified" | "disclosed" | "withdrawn"
      evidence?: {
        note?: string
        links?: string[]
        data?: {
          [key: string]: unknown
        }
      }
      expectedStatus?: "reported" | "triaged" | "patching" | "released" | "verified" | "disclosed" | "withdrawn"
    }
    response: {
      advisory: {
        id: string
        title: string
        description: string
        severity: "low" | "medium" | "high" | "critical"
        status: "reported" | "triaged" | "patching" | "released" | "verified" | "disclosed" | "withdrawn"
        containment: "none" | "contained" | "lifted"
        affectedContracts: {
          address: string
          chain?: string
          name?: string
        }[]
        reporter: string
        discoveredAt: string
        reportedAt: string
        embargoed: boolean
        clearedActors: string[]
        alertIds: string[]
        updatedAt: string
      }
      transitions: {
        id: number
        machine: "advisory" | "containment" | "patch"
        subjectId: string
        advisoryId: string
        from: string | null
        to: string
        at: string
        actor: {
          id: string
          roles: ("admin" | "responder" | "auditor" | "signer" | "viewer")[]
        }
        evidence: {
          note?: string
          links?: string[]
          data?: {
            [key: string]: unknown
          }
        }
        override?: string
        auditSeq: number
      }[]
    }
  }
  /** Alerts the monitor raised (detector, severity, block, transaction, summary, risk score, response taken), newest first, at most 200. */
  "GET /alerts": {
    params: Record<string, never>
    query: Record<string, never>
    body: undefined
    response: {
      alerts: unknown[]
    }
  }
  /** The registered approval signers (address, label, who registered them, revoked or not). */
  "GET /approval-signers": {
    params: Record<string, never>
    query: Record<string, never>
    body: undefined
    response: {
      signers: {
        [key: string]: unknown
      }[]
    }
  }
  /** Registers (or, with `revoke: true`, revokes) an address whose EIP-712 PatchApproval signatures count as approvals. Admin only; audited. */
  "POST /approval-signers": {
    params: Record<string, never>
    query: Record<string, never>
    body: {
      address: string
      label: string
      revoke?: boolean
    }
    response: {
      [key: string]: unknown
    }
  }
  /** Audit log entries in sequence order, as stored and signed (admins and auditors: the log holds embargoed details). */
  "GET /audit": {
    params: Record<string, never>
    query: {
      fromSeq?: number
      limit?: number
      action?: string
    }
    body: undefined
    response: {
      entries: {
        seq: number
        prevHash: string
        hash: string
        time: string
        actor: {
          id: string
          roles: ("admin" | "responder" | "auditor" | "signer" | "viewer")[]
        }
        action: string
        payload: {
          [key: string]: unknown
        }
        keyId: string
        signature: string
      }[]
    }
  }
  /** Re-derives the hash chain, checks each entry's signature with the key registered for it in the log (or only the given keys), and every token, advisory and patch row against the entry that bound it; reports the first bad entry. */
  "GET /audit/verify": {
    params: Record<string, never>
    query: {
      expectSeq?: number
      expectHash?: string
      publicKey?: string[]
    }
    body: undefined
    response: {
      ok: boolean
      entries: number
      head?: {
        seq: number
        hash: string
      }
      firstBad?: {
        seq: number
        reason: "missing" | "unexpected-seq" | "malformed" | "prev-hash-mismatch" | "hash-mismatch" | "signature-invalid" | "key-unknown" | "key-untrusted" | "record-mismatch" | "state-mismatch" | "state-unbound" | "head-mismatch"
        message: string
      }
      keys: {
        keyId: string
        publicKey?: string
        registeredAt?: number
        given: boolean
        entries: number
        firstSeq?: number
        lastSeq?: number
      }[]
      stateRows: number
    }
  }
  /** Whether a devnet is attached, and the current or last demo run: steps, alerts, what signers sign, release and latency. */
  "GET /demo": {
    params: Record<string, never>
    query: Record<string, never>
    body: undefined
    response: {
      available: boolean
      run: unknown
    }
  }
  /** Plays the demo incident on the attached devnet. `approvals: wait` (default) leaves the last approvals to signers in the dashboard. 409 BW_DEMO_UNAVAILABLE without an attached devnet, 409 BW_DEMO_RUNNING while a run is playing. */
  "POST /demo/runs": {
    params: Record<string, never>
    query: Record<string, never>
    body: {
      approvals?: "auto" | "wait"
    }
    response: {
      started: boolean
      reason: string | null
      run: unknown
    }
  }
  /** A text/event-stream of lifecycle transitions (event `transition`), monitor alerts (event `alert`) and job progress (event `job`), data as JSON; event ids are opaque cursors that resume transitions and alerts (Last-Event-ID), `jobsSince` resumes jobs. */
  "GET /events": {
    params: Record<string, never>
    query: {
      since?: number
      alertsSince?: number
      jobsSince?: number
    }
    body: undefined
    response: string
  }
  /** Whether the server and its database answer. */
  "GET /health": {
    params: Record<string, never>
    query: Record<string, never>
    body: undefined
    response: {
      ok: true
      store: "pglite" | "postgres"
    }
  }
  /** The inventory (proxy → admin → timelock → Safe → owners graph, findings) of the attached devnet; `available: false` without one. */
  "GET /inventory": {
    params: Record<string, never>
    query: Record<string, never>
    body: undefined
    response: {
      available: boolean
      labels: {
        [key: string]: string
      }
      inventory: unknown
    }
  }
  /** A job (validation, release step, verification): state, progress, result or error. A patch's job is visible to whoever may see the patch; 404 BW_JOB_NOT_FOUND otherwise, exactly as for a job that does not exist. */
  "GET /jobs/{id}": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: undefined
    response: {
      job: {
        id: string
        kind: string
        input: {
          [key: string]: unknown
        }
        state: "queued" | "running" | "completed" | "failed"
        attempts: number
        workerId: string | null
        progress: unknown
        result: unknown
        error: {
          code: string
          message: string
        } | null
        createdBy: string
        createdAt: string
        startedAt: string | null
        finishedAt: string | null
      }
    }
  }
  /** Median and p90 per stage and per measure over the advisories the caller may see. */
  "GET /latency": {
    params: Record<string, never>
    query: Record<string, never>
    body: undefined
    response: {
      latency: {
        advisories: number
        stages: {
          report: {
            count: number
            medianMs: number
            p90Ms: number
          } | null
          triage: {
            count: number
            medianMs: number
            p90Ms: number
          } | null
          fix: {
            count: number
            medianMs: number
            p90Ms: number
          } | null
          validation: {
            count: number
            medianMs: number
            p90Ms: number
          } | null
          approval: {
            count: number
            medianMs: number
            p90Ms: number
          } | null
          release: {
            count: number
            medianMs: number
            p90Ms: number
          } | null
          verification: {
            count: number
            medianMs: number
            p90Ms: number
          } | null
          disclosure: {
            count: number
            medianMs: number
            p90Ms: number
          } | null
        }
        measures: {
          timeToContainment: {
            count: number
            medianMs: number
            p90Ms: number
          } | null
          timeToRelease: {
            count: number
            medianMs: number
            p90Ms: number
          } | null
          timeToVerification: {
            count: number
            medianMs: number
            p90Ms: number
          } | null
          exposureWindow: {
            count: number
            medianMs: number
            p90Ms: number
          } | null
        }
        openExposures: number
      }
    }
  }
  "GET /metrics": {
    params: Record<string, never>
    query: Record<string, never>
    body: undefined
    response: unknown
  }
  /** Adds an owner's confirmation (Safe Transaction Service shape): verified against the live owner set, nonce and the patch's current report hash. */
  "POST /multisig-transactions/{safeTxHash}/confirmations": {
    params: {
      safeTxHash: string
    }
    query: Record<string, never>
    body: {
      signature: string
    }
    response: {
      [key: string]: unknown
    }
  }
  /** What a signer must see: safeTxHash, domain and message hashes, the calldata decoded to each upgrade and codehash, DELEGATECALL alerts, the report hash, verdict and rehearsal. */
  "GET /multisig-transactions/{safeTxHash}/signer-view": {
    params: {
      safeTxHash: string
    }
    query: Record<string, never>
    body: undefined
    response: {
      [key: string]: unknown
    }
  }
  /** The OpenAPI document of this API. */
  "GET /openapi.json": {
    params: Record<string, never>
    query: Record<string, never>
    body: undefined
    response: {
      openapi: string
      paths: {
        [key: string]: unknown
      }
      [key: string]: unknown
    }
  }
  /** Patches the caller may see, newest first; `advisoryId` narrows to one advisory. */
  "GET /patches": {
    params: Record<string, never>
    query: {
      advisoryId?: string
      status?: "proposed" | "validating" | "validated" | "rejected" | "awaiting_approval" | "approved" | "scheduled" | "released" | "verified" | "withdrawn"
      limit?: number
      offset?: number
    }
    body: undefined
    response: {
      patches: {
        id: string
        advisoryId: string
        title: string
        status: "proposed" | "validating" | "validated" | "rejected" | "awaiting_approval" | "approved" | "scheduled" | "released" | "verified" | "withdrawn"
        route: "standard" | "emergency" | "private"
        targets: {
          proxy: string
          newImplementation: string
          chain?: string
          call?: string
        }[]
        requiredApprovals: number
        approvals: {
          patchId: string
          signer: string
          kind: "eip712" | "safe-confirmation" | "override" | "unverified"
          at: string
          digest?: string
          signature?: string
          note?: string
          auditSeq: number
        }[]
        reportHash: string | null
        chainId: number | null
        createdAt: string
        updatedAt: string
      }[]
    }
  }
  /** Proposes a patch for a triaged advisory (which then enters `patching`). */
  "POST /patches": {
    params: Record<string, never>
    query: Record<string, never>
    body: {
      advisoryId: string
      title: string
      route: "standard" | "emergency" | "private"
      targets: {
        proxy: string
        newImplementation: string
        chain?: string
        call?: string
      }[]
      requiredApprovals?: number
      evidence?: {
        note?: string
        links?: string[]
        data?: {
          [key: string]: unknown
        }
      }
    }
    response: {
      patch: {
        id: string
        advisoryId: string
        title: string
        status: "proposed" | "validating" | "validated" | "rejected" | "awaiting_approval" | "approved" | "scheduled" | "released" | "verified" | "withdrawn"
        route: "standard" | "emergency" | "private"
        targets: {
          proxy: string
          newImplementation: string
          chain?: string
          call?: string
        }[]
        requiredApprovals: number
        approvals: {
          patchId: string
          signer: string
          kind: "eip712" | "safe-confirmation" | "override" | "unverified"
          at: string
          digest?: string
          signature?: string
          note?: string
          auditSeq: number
        }[]
        reportHash: string | null
        chainId: number | null
        createdAt: string
        updatedAt: string
      }
      advisory: {
        id: string
        title: string
        description: string
        severity: "low" | "medium" | "high" | "critical"
        status: "reported" | "triaged" | "patching" | "released" | "verified" | "disclosed" | "withdrawn"
        containment: "none" | "contained" | "lifted"
        affectedContracts: {
          address: string
          chain?: string
          name?: string
        }[]
        reporter: string
        discoveredAt: string
        reportedAt: string
        embargoed: boolean
        clearedActors: string[]
        alertIds: string[]
        updatedAt: string
      }
      transitions: {
        id: number
        machine: "advisory" | "containment" | "patch"
        subjectId: string
        advisoryId: string
        from: string | null
        to: string
        at: string
        actor: {
          id: string
          roles: ("admin" | "responder" | "auditor" | "signer" | "viewer")[]
        }
        evidence: {
          note?: string
          links?: string[]
          data?: {
            [key: string]: unknown
          }
        }
        override?: string
        auditSeq: number
      }[]
    }
  }
  /** One patch with its approvals; 404 BW_PATCH_NOT_FOUND when absent or its advisory is embargoed from the caller. */
  "GET /patches/{id}": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: undefined
    response: {
      patch: {
        id: string
        advisoryId: string
        title: string
        status: "proposed" | "validating" | "validated" | "rejected" | "awaiting_approval" | "approved" | "scheduled" | "released" | "verified" | "withdrawn"
        route: "standard" | "emergency" | "private"
        targets: {
          proxy: string
          newImplementation: string
          chain?: string
          call?: string
        }[]
        requiredApprovals: number
        approvals: {
          patchId: string
          signer: string
          kind: "eip712" | "safe-confirmation" | "override" | "unverified"
          at: string
          digest?: string
          signature?: string
          note?: string
          auditSeq: number
        }[]
        reportHash: string | null
        chainId: number | null
        createdAt: string
        updatedAt: string
      }
    }
  }
  /** Records an approval from its EIP-712 PatchApproval signature (a registered signer address, over patch id, validated report hash and chain id); 422 BW_APPROVAL_SIGNATURE_INVALID without one. The approval that reaches the threshold moves the patch to `approved`. */
  "POST /patches/{id}/approvals": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: {
      signature?: string
      digest?: string
      note?: string
    }
    response: {
      patch: {
        id: string
        advisoryId: string
        title: string
        status: "proposed" | "validating" | "validated" | "rejected" | "awaiting_approval" | "approved" | "scheduled" | "released" | "verified" | "withdrawn"
        route: "standard" | "emergency" | "private"
        targets: {
          proxy: string
          newImplementation: string
          chain?: string
          call?: string
        }[]
        requiredApprovals: number
        approvals: {
          patchId: string
          signer: string
          kind: "eip712" | "safe-confirmation" | "override" | "unverified"
          at: string
          digest?: string
          signature?: string
          note?: string
          auditSeq: number
        }[]
        reportHash: string | null
        chainId: number | null
        createdAt: string
        updatedAt: string
      }
      approval: {
        patchId: string
        signer: string
        kind: "eip712" | "safe-confirmation" | "override" | "unverified"
        at: string
        digest?: string
        signature?: string
        note?: string
        auditSeq: number
      }
      transition?: {
        id: number
        machine: "advisory" | "containment" | "patch"
        subjectId: string
        advisoryId: string
        from: string | null
        to: string
        at: string
        actor: {
          id: string
          roles: ("admin" | "responder" | "auditor" | "signer" | "viewer")[]
        }
        evidence: {
          note?: string
          links?: string[]
          data?: {
            [key: string]: unknown
          }
        }
        override?: string
        auditSeq: number
      }
    }
  }
  /** The multi-chain exposure window of a patch (fix public on one chain, pending on another), per chain, planned and executed, with the probability and expected loss of an exploit in it. */
  "POST /patches/{id}/exposure-window": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: {
      chains: {
        chainId: number
        valueAtRiskUsd: number
        unpausableShare: number
        pauseAvailable?: boolean
      }[]
    }
    response: {
      patchId: string
      severity: "low" | "medium" | "high" | "critical"
      planned: {
        chains: {
          chainId: number
          route: "standard" | "emergency" | "private"
          delaySeconds: number
          releaseHours: number
          pausedFromHours: number | null
          projected: boolean
        }[]
        price: {
          severity: "low" | "medium" | "high" | "critical"
          hazardPerHour: number
          chains: {
            chainId: number
            windowHours: number
            openHours: number
            pausedHours: number
            pExploit: number
            expectedLossUsd: number
            openPremiumUsd: number
          }[]
          windowHours: number
          pAnyExploit: number
          expectedLossUsd: number
          openPremiumUsd: number
          openChainIds: number[]
        }
      } | null
      executed: {
        chains: {
          chainId: number
          route: "standard" | "emergency" | "private"
          delaySeconds: number
          releaseHours: number
          pausedFromHours: number | null
          projected: boolean
        }[]
        price: {
          severity: "low" | "medium" | "high" | "critical"
          hazardPerHour: number
          chains: {
            chainId: number
            windowHours: number
            openHours: number
            pausedHours: number
            pExploit: number
            expectedLossUsd: number
            openPremiumUsd: number
          }[]
          windowHours: number
          pAnyExploit: number
          expectedLossUsd: number
          openPremiumUsd: number
          openChainIds: number[]
        }
        phase: "scheduled" | "released"
        disclosedAt: {
          chainId: number
          timestamp: number
        }
      } | null
      unplanned: number[]
    }
  }
  /** Executes the next step of the patch's stored release plan, as a job: the owners' stored confirmations re-verified live, the step submitted by the server's release key, the mined transaction checked on chain before the patch moves to `scheduled` or `released`. 404 BW_PATCH_NOT_FOUND / BW_RELEASE_NOT_FOUND, 409 BW_RELEASE_ALREADY_EXECUTED or BW_OPERATION_NOT_CONFIGURED. */
  "POST /patches/{id}/release/execute": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: undefined
    response: {
      job: {
        id: string
        kind: string
        input: {
          [key: string]: unknown
        }
        state: "queued" | "running" | "completed" | "failed"
        attempts: number
        workerId: string | null
        progress: unknown
        result: unknown
        error: {
          code: string
          message: string
        } | null
        createdBy: string
        createdAt: string
        startedAt: string | null
        finishedAt: string | null
      }
    }
  }
  /** Plans the release of a validated patch on a route of the server's release configuration (default: the patch's route), as a job: the atomic batch from the stored validation report, its Safe transactions proposed to the owners, the patch moved to `awaiting_approval`. 404 BW_PATCH_NOT_FOUND, 422 BW_RELEASE_PLAN_INVALID, 409 BW_OPERATION_NOT_CONFIGURED. */
  "POST /patches/{id}/release/plan": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: {
      route?: "standard" | "emergency" | "private"
      replace?: boolean
    }
    response: {
      job: {
        id: string
        kind: string
        input: {
          [key: string]: unknown
        }
        state: "queued" | "running" | "completed" | "failed"
        attempts: number
        workerId: string | null
        progress: unknown
        result: unknown
        error: {
          code: string
          message: string
        } | null
        createdBy: string
        createdAt: string
        startedAt: string | null
        finishedAt: string | null
      }
    }
  }
  /** Moves the patch along its state machine; releasing or verifying it moves its advisory too. */
  "POST /patches/{id}/transitions": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: {
      to: "proposed" | "validating" | "validated" | "rejected" | "awaiting_approval" | "approved" | "scheduled" | "released" | "verified" | "withdrawn"
      evidence?: {
        note?: string
        links?: string[]
        data?: {
          [key: string]: unknown
        }
      }
      expectedStatus?: "proposed" | "validating" | "validated" | "rejected" | "awaiting_approval" | "approved" | "scheduled" | "released" | "verified" | "withdrawn"
      override?: {
        reason: string
      }
    }
    response: {
      patch: {
        id: string
        advisoryId: string
        title: string
        status: "proposed" | "validating" | "validated" | "rejected" | "awaiting_approval" | "approved" | "scheduled" | "released" | "verified" | "withdrawn"
        route: "standard" | "emergency" | "private"
        targets: {
          proxy: string
          newImplementation: string
          chain?: string
          call?: string
        }[]
        requiredApprovals: number
        approvals: {
          patchId: string
          signer: string
          kind: "eip712" | "safe-confirmation" | "override" | "unverified"
          at: string
          digest?: string
          signature?: string
          note?: string
          auditSeq: number
        }[]
        reportHash: string | null
        chainId: number | null
        createdAt: string
        updatedAt: string
      }
      advisory: {
        id: string
        title: string
        description: string
        severity: "low" | "medium" | "high" | "critical"
        status: "reported" | "triaged" | "patching" | "released" | "verified" | "disclosed" | "withdrawn"
        containment: "none" | "contained" | "lifted"
        affectedContracts: {
          address: string
          chain?: string
          name?: string
        }[]
        reporter: string
        discoveredAt: string
        reportedAt: string
        embargoed: boolean
        clearedActors: string[]
        alertIds: string[]
        updatedAt: string
      }
      transitions: {
        id: number
        machine: "advisory" | "containment" | "patch"
        subjectId: string
        advisoryId: string
        from: string | null
        to: string
        at: string
        actor: {
          id: string
          roles: ("admin" | "responder" | "auditor" | "signer" | "viewer")[]
        }
        evidence: {
          note?: string
          links?: string[]
          data?: {
            [key: string]: unknown
          }
        }
        override?: string
        auditSeq: number
      }[]
    }
  }
  /** Validates the patch: the pipeline runs on the submitted manifest (which must upgrade exactly the patch's proxies) against the server's RPC endpoint for the manifest's chain, as a job; the stored run moves the patch to `validated` or `rejected`. 400 BW_MANIFEST_INVALID / BW_INPUT_INVALID, 404 BW_PATCH_NOT_FOUND, 409 BW_TRANSITION_ILLEGAL or BW_OPERATION_NOT_CONFIGURED. */
  "POST /patches/{id}/validation-runs": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: {
      manifest: {
        [key: string]: unknown
      }
      stages?: ("build" | "upgrade-safety" | "diamond-cut" | "diff-review" | "initializer-safety" | "fork-rehearsal" | "exploit-replay" | "regression" | "differential-replay" | "prover" | "differential-fuzz")[]
      block?: string
      noRebuild?: boolean
    }
    response: {
      job: {
        id: string
        kind: string
        input: {
          [key: string]: unknown
        }
        state: "queued" | "running" | "completed" | "failed"
        attempts: number
        workerId: string | null
        progress: unknown
        result: unknown
        error: {
          code: string
          message: string
        } | null
        createdBy: string
        createdAt: string
        startedAt: string | null
        finishedAt: string | null
      }
    }
  }
  /** Verifies a released patch from the chain (`verifyRelease` against its stored plan), as a job; the result is stored and a pass moves the patch and its advisory to `verified`. 404 BW_PATCH_NOT_FOUND / BW_RELEASE_NOT_FOUND, 409 BW_TRANSITION_ILLEGAL (not released yet) or BW_OPERATION_NOT_CONFIGURED. */
  "POST /patches/{id}/verifications": {
    params: {
      id: string
    }
    query: Record<string, never>
    body: undefined
    response: {
      job: {
        id: string
        kind: string
        input: {
          [key: string]: unknown
        }
        state: "queued" | "running" | "completed" | "failed"
        attempts: number
        workerId: string | null
        progress: unknown
        result: unknown
        error: {
          code: string
          message: string
        } | null
        createdBy: string
        createdAt: string
        startedAt: string | null
        finishedAt: string | null
      }
    }
  }
  "GET /ready": {
    params: Record<string, never>
    query: Record<string, never>
    body: undefined
    response: unknown
  }
  /** Releases: patches scheduled, released or verified, with their stored plan (route, plan hash, executed transactions) and their latest stored verifyRelease result; overrides are shown as such. */
  "GET /releases": {
    params: Record<string, never>
    query: Record<string, never>
    body: undefined
    response: {
      releases: unknown[]
    }
  }
  /** Probability of exploit before release and expected loss per route option for explicit inputs, with the recommended route and chart data. */
  "POST /risk": {
    params: Record<string, never>
    query: Record<string, never>
    body: {
      severity: "low" | "medium" | "high" | "critical"
      exposure: "private" | "public" | "fix-visible" | "exploited"
      discoveredAt: string
      valueAtRiskUsd: number
      unpausableShare: number
      contained: boolean
      history?: {
        standard?: number[]
        emergency?: number[]
        private?: number[]
        pause?: number[]
      }
      constraints: {
        routes: ("standard" | "emergency" | "private")[]
        timelockDelayHours: number
        pauseAvailable: boolean
        emergencyVisibleHours?: number
      }
      pauseCostUsdPerHour?: number
      samples?: number
      seed?: number
      now?: string
    }
    response: {
      assessment: {
        version: 1
        input: {
          severity: "low" | "medium" | "high" | "critical"
          exposure: "private" | "public" | "fix-visible" | "exploited"
          discoveredAt: string
          now: string
          valueAtRiskUsd: number
          unpausableShare: number
          contained: boolean
          constraints: {
            routes: ("standard" | "emergency" | "private")[]
            timelockDelayHours: number
            pauseAvailable: boolean
            emergencyVisibleHours?: number
          }
          pauseCostUsdPerHour?: number
        }
        samples: number
        seed: number
        hazardPerHour: {
          private: number
          public: number
          "fix-visible": number
          exploited: number
        }
        options: {
          id: string
          route: "standard" | "emergency" | "private"
          pauseFirst: boolean
          latency: {
            source: {
              kind: "history"
              samples: number
            } | {
              kind: "prior"
              prior: string
            }
            p10Hours: number
            medianHours: number
            p90Hours: number
            fixedHours: number
            visibleHours: number
          }
          pauseLatency?: {
            source: {
              kind: "history"
              samples: number
            } | {
              kind: "prior"
              prior: string
            }
            p10Hours: number
            medianHours: number
            p90Hours: number
          }
          pExploit: number
          pExploitStdErr: number
          pExploitInterval95: number[]
          expectedLossUsd: number
          expectedLossStdErr: number
          expectedPauseCostUsd: number
          expectedCostUsd: number
          medianExposureWindowHours: number
          closedForm?: {
            pExploit: number
            expectedLossUsd: number
          }
        }[]
        recommendation: {
          optionId: string
          route: "standard" | "emergency" | "private"
          pauseFirst: boolean
          pExploit: number
          expectedLossUsd: number
          expectedCostUsd: number
          ranking: string[]
          runnerUp?: {
            optionId: string
            pExploit: number
            expectedLossUsd: number
            expectedCostUsd: number
          }
          withinNoise: boolean
          explanation: string[]
        }
        chart: {
          unit: "hours"
          startsAt: string
          hoursSinceDiscovery: number
          series: {
            id: string
            points: {
              hours: number
              probability: number
            }[]
            release: {
              p10Hours: number
              medianHours: number
              p90Hours: number
            }
          }[]
        }
      }
    }
  }
  /** Proposes a Safe transaction (Safe Transaction Service shape) bound to a patch and its current validation report hash; an optional first signature is verified. */
  "POST /safes/{address}/multisig-transactions": {
    params: {
      address: string
    }
    query: Record<string, never>
    body: {
      chainId: number
      to: string
      value?: string
      data?: string
      operation?: 0 | 1
      safeTxGas?: string
      baseGas?: string
      gasPrice?: string
      gasToken?: string
      refundReceiver?: string
      nonce?: string
      contractTransactionHash?: string
      sender?: string
      signature?: string
      patchId: string
      reportHash: string
      validation: {
        verdict: string
        rehearsal?: string
      }
      multiSend?: string[]
    }
    response: {
      [key: string]: unknown
    }
  }
  /** A Safe's proposals at or above its live nonce, with confirmation counts and whether each is still bound to its patch's current report. */
  "GET /safes/{address}/multisig-transactions/pending": {
    params: {
      address: string
    }
    query: {
      chainId: number
    }
    body: undefined
    response: {
      [key: string]: unknown
    }
  }
  /** Active API tokens (never the tokens themselves). */
  "GET /tokens": {
    params: Record<string, never>
    query: Record<string, never>
    body: undefined
    response: {
      tokens: {
        id: number
        label: string
        roles: ("admin" | "responder" | "auditor" | "signer" | "viewer")[]
        createdAt: string
        lastUsedAt: string | null
      }[]
    }
  }
  /** Creates an API token; the response is the only time the token is shown. */
  "POST /tokens": {
    params: Record<string, never>
    query: Record<string, never>
    body: {
      label: string
      roles: ("admin" | "responder" | "auditor" | "signer" | "viewer")[]
    }
    response: {
      token: string
      apiToken: {
        id: number
        label: string
        roles: ("admin" | "responder" | "auditor" | "signer" | "viewer")[]
        createdAt: string
        lastUsedAt: string | null
      }
    }
  }
  /** Revokes an API token. */
  "DELETE /tokens/{id}": {
    params: {
      id: number
    }
    query: Record<string, never>
    body: undefined
    response: {
      revoked: {
        id: number
        label: string
        roles: ("admin" | "responder" | "auditor" | "signer" | "viewer")[]
        createdAt: string
        lastUsedAt: string | null
      }
    }
  }
  /** The calling token's actor id (its label) and roles. */
  "GET /whoami": {
    params: Record<string, never>
    query: Record<string, never>
    body: undefined
    response: {
      actor: {
        id: string
        roles: ("admin" | "responder" | "auditor" | "signer" | "viewer")[]
      }
    }
  }
}

export type OperationKey = keyof Operations
export type ResponseOf<K extends OperationKey> = Operations[K]['response']
export type BodyOf<K extends OperationKey> = Operations[K]['body']
export type QueryOf<K extends OperationKey> = Operations[K]['query']
/** The body of every error answer: `{ error: { code: "BW_…", message, … } }`. */
export type ErrorResponse = unknown
