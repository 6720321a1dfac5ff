import { describe, expect, test } from 'vitest'
import { jsonSchema } from '../schemas.js'
import type { HandlerInput } from '../route.js'
import { assessRiskRoute, assessAdvisoryRiskRoute, riskAssessmentResponse } from './risk.js'

// Registration in routes/all.ts (and so the role matrix and OpenAPI checks) is the server's; this checks the route's own contract.
describe('risk routes', () => {
  test('POST /risk answers an assessment that its declared response schema accepts', async () => {
    const body = {
      severity: 'critical',
      exposure: 'public',
      discoveredAt: '2026-03-01T09:00:00.000Z',
      now: '2026-03-01T12:00:00.000Z',
      valueAtRiskUsd: 2_000_000,
      unpausableShare: 0.25,
      contained: false,
      history: { emergency: [1, 2, 3, 4, 5] },
      constraints: { routes: ['standard', 'emergency'], timelockDelayHours: 24, pauseAvailable: true },
      samples: 500,
      seed: 3,
    }
    const answer = (await assessRiskRoute.handler({ body } as unknown as HandlerInput<unknown, unknown, unknown>)) as { assessment: unknown }
    const parsed = riskAssessmentResponse.parse(JSON.parse(JSON.stringify(answer.assessment)))
    expect(parsed.options.map((option) => option.id)).toEqual(['standard', 'standard+pause', 'emergency', 'emergency+pause'])
    expect(parsed.input.now).toBe('2026-03-01T12:00:00.000Z')
    expect(parsed.options.find((option) => option.id === 'emergency')!.latency.source).toEqual({ kind: 'history', samples: 5 })
  })

  test('both routes convert to JSON Schema for Fastify and OpenAPI', () => {
    for (const route of [assessRiskRoute, assessAdvisoryRiskRoute]) {
      expect(jsonSchema(route.body!, 'input')).toMatchObject({ type: 'object' })
      expect(jsonSchema(route.response as never, 'output')).toMatchObject({ type: 'object' })
    }
  })
})
