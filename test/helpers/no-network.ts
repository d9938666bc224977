/**
 * Preloaded with `node --import` into a CLI child process: any DNS lookup or outgoing connection is
 * recorded in $NO_NETWORK_MARKER and fails, which proves a run made no network activity at all.
 */
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';

function trip(what: string): never {
  const marker = process.env.NO_NETWORK_MARKER;
  if (marker) appendFileSync(marker, `${what}\n`);
  throw new Error(`network use forbidden in this test: ${what}`);
}

dns.lookup = (() => trip('dns.lookup')) as unknown as typeof dns.lookup;
dns.resolve = (() => trip('dns.resolve')) as unknown as typeof dns.resolve;
dns.promises.lookup = (() => trip('dns.promises.lookup')) as unknown as typeof dns.promises.lookup;
net.connect = (() => trip('net.connect')) as unknown as typeof net.connect;
net.createConnection = (() => trip('net.createConnection')) as unknown as typeof net.createConnection;
net.Socket.prototype.connect = function connect(): never {
  return trip('net.Socket.connect');
} as unknown as typeof net.Socket.prototype.connect;
tls.connect = (() => trip('tls.connect')) as unknown as typeof tls.connect;
syncBuiltinESMExports();
