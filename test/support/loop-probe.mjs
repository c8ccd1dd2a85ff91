// Preloaded into a server process (node --import) by benchmarks: measures the event-loop
// delay of its request thread between 'loop-delay:start' and 'loop-delay:stop' messages.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const delay = monitorEventLoopDelay({ resolution: 5 });
process.on('message', (message) => {
  if (message === 'loop-delay:start') {
    delay.reset();
    delay.enable();
  } else if (message === 'loop-delay:stop') {
    delay.disable();
    process.send({ loopDelayP99Ms: delay.percentile(99) / 1e6 });
  }
});
// The channel must not keep a server alive that is otherwise shutting down.
process.channel?.unref();
