import { main } from './main.js';

// `spec-agent parse x | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  if (err.code === 'EIO') return;
  throw err;
});
// A closed terminal (SIGHUP) fails every later write with EIO: the run must still end cleanly, unseen.
process.stderr.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EIO' && err.code !== 'EPIPE') throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`spec-agent: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
