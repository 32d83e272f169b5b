// What every script shares: the argument (one JSON object in argv[2]), kafkajs logging to stderr (stdout carries
// only the JSON event lines the xunit specs parse), snappy registered, and records encoded for JSON (bytes as base64).
import kafkajs from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';

const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = kafkajs;

CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;

export { kafkajs, CompressionTypes };

export const args = JSON.parse(process.argv[2] ?? '{}');

/** One line of JSON on stdout: what the spec reads. */
export function emit(event, fields = {}) {
  process.stdout.write(JSON.stringify({ event, ...fields }) + '\n');
}

const levels = { [logLevel.ERROR]: 'ERROR', [logLevel.WARN]: 'WARN', [logLevel.INFO]: 'INFO', [logLevel.DEBUG]: 'DEBUG' };

/** kafkajs's console logger writes INFO to stdout; this one writes every level to stderr. */
export const stderrLogCreator = () => ({ namespace, level, log }) => {
  const { message, ...extra } = log;
  process.stderr.write(`${new Date().toISOString()} ${levels[level]} [${namespace}] ${message} ${JSON.stringify(extra)}\n`);
};

export function kafka(clientId) {
  return new Kafka({
    clientId,
    brokers: args.brokers,
    logLevel: args.debug ? logLevel.DEBUG : logLevel.INFO,
    logCreator: stderrLogCreator,
    retry: { retries: args.retries ?? 10 },
  });
}

export const toBytes = (b64) => (b64 === null || b64 === undefined ? null : Buffer.from(b64, 'base64'));
export const toBase64 = (buffer) => (buffer === null || buffer === undefined ? null : Buffer.from(buffer).toString('base64'));

/** kafkajs message headers (string or Buffer, or arrays of them for a repeated key) as [[key, base64]...] in order. */
export function headerList(headers) {
  const list = [];
  for (const [key, value] of Object.entries(headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      list.push([key, toBase64(v)]);
    }
  }
  return list;
}

/** A consumed kafkajs message as JSON: bytes in base64, offsets and timestamps as numbers. */
export function recordJson(topic, partition, message) {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: toBase64(message.key),
    value: toBase64(message.value),
    headers: headerList(message.headers),
  };
}

/** Resolves when the spec closes our stdin (its way of saying stop); also on SIGTERM. */
export function stopRequested() {
  return new Promise((resolve) => {
    process.stdin.on('end', resolve);
    process.stdin.on('close', resolve);
    process.stdin.resume();
    process.on('SIGTERM', resolve);
  });
}

/** Runs main; an error is one "error" line on stdout (and its stack on stderr) and exit code 1. */
export function run(main) {
  main().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${error?.stack ?? error}\n`);
      emit('error', { name: error?.name ?? 'Error', message: String(error?.message ?? error), type: error?.type ?? null });
      process.exit(1);
    },
  );
}
