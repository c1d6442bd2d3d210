// Terminal demo of the encrypted pipe: a relay on 127.0.0.1 (TLS, test certificate), a customer
// host and an agent host, driven over native-messaging framing exactly as the extension will.
// Run through tools/demo, which builds everything first.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostDriver } from '../tests/e2e/host-driver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (/** @type {string} */ name) => path.join(root, 'build', 'bin', name);
const tls = path.join(root, 'tests', 'data', 'tls');

function startRelay() {
  const relay = spawn(bin('cotab-relay'), ['--listen', '127.0.0.1:0', '--tls-cert', `${tls}/relay.pem`, '--tls-key', `${tls}/relay.key`],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  relay.stderr.on('data', (d) => process.stderr.write(`  relay | ${d}`));
  return new Promise((resolve, reject) => {
    relay.stdout.once('data', (d) => {
      const m = /listening (\S+)/.exec(String(d));
      m ? resolve({ relay, address: m[1] }) : reject(new Error(`relay said: ${d}`));
    });
    relay.once('exit', (code) => reject(new Error(`relay exited ${code}`)));
  });
}

const CA = { COTAB_RELAY_CA_FILE: `${tls}/ca.pem` };

/** A host driven from here, printing its status reports. @param {string} label */
function host(label) {
  const driver = new HostDriver({ env: CA, stderr: 'inherit' });
  /** @param {string} type */
  const expect = (type) => driver.take(type, (m) => console.log(`${label}: … ${m.state}`));
  return { driver, expect, send: (/** @type {object} */ m) => driver.send(m) };
}

const { relay, address } = await startRelay();
const url = `wss://${address}/v1`;
console.log(`relay: listening on ${url} (TLS, test certificate)\n`);

const customer = host('customer');
const agent = host('agent   ');
customer.send({ type: 'hello' });
const hello = await customer.expect('hello');
console.log(`customer: host ${hello.host}, protocol ${hello.version}`);

customer.send({ type: 'share', relay: url });
const { code } = await customer.expect('code');
console.log(`customer: "Share this tab" -> code ${code}   (read it to the agent)\n`);

agent.send({ type: 'join', relay: url, code });
const [a, c] = await Promise.all([agent.expect('peer'), customer.expect('peer')]);
console.log(`\nagent   : joined; SAS ${a.sas}`);
console.log(`customer: agent joined; SAS ${c.sas}  -> both read "${c.sas}" aloud: ${a.sas === c.sas ? 'they match' : 'MISMATCH'}\n`);

const snapshot = { kind: 'snapshot', nodes: Array.from({ length: 2000 }, (_, i) => ({ id: i, tag: 'div', text: `row ${i}` })) };
customer.send({ type: 'send', data: snapshot });
let t0 = performance.now();
const got = await agent.expect('recv');
console.log(`agent   : received a ${JSON.stringify(snapshot).length} byte snapshot with ${got.data.nodes.length} nodes in ${(performance.now() - t0).toFixed(1)} ms`);

const rtts = [];
for (let i = 0; i < 200; i++) {
  t0 = performance.now();
  customer.send({ type: 'send', data: { kind: 'mutation', seq: i } });
  await agent.expect('recv');
  agent.send({ type: 'send', data: { kind: 'ack', seq: i } });
  await customer.expect('recv');
  rtts.push(performance.now() - t0);
}
rtts.sort((x, y) => x - y);
console.log(`customer: 200 round trips through extension framing, two hosts and the relay: p50 ${rtts[100].toFixed(2)} ms, p99 ${rtts[198].toFixed(2)} ms`);

customer.send({ type: 'end' });
console.log(`customer: ended (${(await customer.expect('ended')).reason})`);
console.log(`agent   : ended (${(await agent.expect('ended')).reason})\n`);

await Promise.all([customer.driver.close(), agent.driver.close()]);
relay.kill('SIGTERM');
await once(relay, 'exit');
console.log('demo: done. Next on the roadmap, this same pipe carries a live tab between two browsers.');
