/**
 * A stand-in ClickHouse for the benchmark's forwarding run: answers every request of
 * ClickHouse's HTTP interface with 200 (DDL and inserts alike) after reading its body, and
 * counts the JSONEachRow rows of the inserts. It costs next to nothing, so the collector's
 * throughput beside it shows what forwarding costs Footfall itself, not what a ClickHouse on
 * the same two cores would take from it. Prints `listening on http://127.0.0.1:PORT`; GET
 * /rows answers the rows received so far.
 */
import { createServer } from 'node:http';

let rows = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/rows') return res.writeHead(200, { 'content-type': 'text/plain' }).end(String(rows));
  const insert = /INSERT/i.test(decodeURIComponent(req.url ?? ''));
  req.on('data', (chunk: Buffer) => {
    if (!insert) return;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) rows++;
  });
  req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(''));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  console.log(`listening on http://127.0.0.1:${addr.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
