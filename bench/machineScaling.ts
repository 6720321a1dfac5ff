import { spawn } from 'node:child_process'

/**
 * How much more work this machine does with two busy processes than with one: each runs the same
 * CPU-bound loop (SHA-256 of 1 KiB) for `seconds`, once alone and then two at once, and the ratio
 * of their iterations is returned. On an idle machine with two independent cores it is near 2; on a
 * VM whose two vCPUs share a core, or with other load, less. A workload that keeps more than one
 * core busy on its own cannot scale past it with a second copy; one that waits on I/O can.
 */
export async function cpuBoundScaling(seconds = 4): Promise<number> {
  const one = await spin(seconds)
  const [first, second] = await Promise.all([spin(seconds), spin(seconds)])
  return (first + second) / one
}

const loop = `
const { createHash } = require('node:crypto')
const block = Buffer.alloc(1024)
const end = Date.now() + Number(process.argv[1]) * 1000
let count = 0
while (Date.now() < end) { for (let i = 0; i < 100; i++) createHash('sha256').update(block).digest(); count += 100 }
process.stdout.write(String(count))
`

function spin(seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', loop, String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`CPU loop exited with ${code}`))))
  })
}
