// Entry of the trainer process. It speaks the same protocol over Electron's parentPort
// (utilityProcess) or Node's IPC channel (child_process.fork); nothing here imports electron.
import type { GeneratorJob, TrainerEvent, TrainerRequest } from '@shared/trainer-protocol'
import { runClassifierJob, runEvaluateJob } from './evaluation/job'
import { runExplore, serveGenerators } from './explorer/job'
import { runJob } from './job'
import { runTimeStepsJob } from './timing-job'

interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): void
  postMessage(message: unknown): void
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort

function send(event: TrainerEvent): void {
  if (parentPort) parentPort.postMessage(event)
  else if (process.send) process.send(event)
}

let stopRequested = false
let started = false
/** Set once this process is a generator worker: it answers generator jobs until it is ended. */
let generatorJob: ((job: GeneratorJob) => void) | null = null

function onRequest(msg: TrainerRequest): void {
  if (msg.type === 'stop') {
    stopRequested = true
    if (!started || generatorJob) process.exit(0)
    return
  }
  if (msg.type === 'generator-job') {
    generatorJob?.(msg)
    return
  }
  if (started) return
  started = true
  if (msg.type === 'generator-serve') {
    generatorJob = serveGenerators(msg, send)
    return
  }
  if (msg.type === 'explore') {
    void runExplore(msg, send)
    return
  }
  if (msg.type === 'classifier-train') {
    void runClassifierJob(msg, send)
    return
  }
  if (msg.type === 'evaluate') {
    void runEvaluateJob(msg, send)
    return
  }
  if (msg.type === 'time-steps') {
    void runTimeStepsJob(msg, send)
    return
  }
  // After its final 'done' event the host ends this process, so no message is cut off.
  void runJob(msg, { emit: send, stopRequested: () => stopRequested })
}

if (parentPort) parentPort.on('message', (e) => onRequest(e.data as TrainerRequest))
else if (process.send) process.on('message', (m) => onRequest(m as TrainerRequest))
else {
  console.error('The trainer must be started by a host (utilityProcess or child_process.fork).')
  process.exit(2)
}

// If the host disappears, there is nobody to report to: stop at once.
process.on('disconnect', () => process.exit(0))
send({ type: 'ready', pid: process.pid })
