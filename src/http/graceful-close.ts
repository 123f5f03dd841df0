import type { FastifyInstance } from 'fastify';

/**
 * Shutdown that loses no accepted request. On `close()`: the listening socket closes, idle
 * keep-alive connections are closed (Fastify's `forceCloseConnections: 'idle'`), requests that
 * arrive on a busy connection get `503` with `Connection: close` (Fastify's `return503OnClosing`),
 * and requests already running finish, their responses carrying `Connection: close` so the client
 * reconnects elsewhere. Whatever still runs after `graceSeconds` is cut off, so a stuck request
 * cannot hold the process.
 */
export function registerGracefulClose(app: FastifyInstance, graceSeconds: number): void {
  let closing = false;
  let deadline: NodeJS.Timeout | undefined;
  app.addHook('preClose', function startDraining(done) {
    closing = true;
    deadline = setTimeout(function cutOff() {
      app.log.warn({ graceSeconds }, 'shutdown grace period over; closing the remaining connections');
      app.server.closeAllConnections();
    }, graceSeconds * 1000);
    deadline.unref();
    done();
  });
  app.addHook('onSend', function lastOnThisConnection(_request, reply, payload, done) {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onClose', function stopDeadline(_instance, done) {
    clearTimeout(deadline);
    done();
  });
}
