// kafkajs producer: sends args.messages ([{partition?, key, value, headers: [[k, v]...]}], bytes in base64) to
// args.topic with args.compression ("none" | "gzip" | "snappy") and args.idempotent, in batches of args.batchSize,
// and answers the offset kafkajs reports for each batch.
import { args, emit, kafka, run, toBytes, CompressionTypes } from './lib.js';

const compressions = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy };

run(async () => {
  const producer = kafka('actorstream-js-producer').producer({
    idempotent: !!args.idempotent,
    maxInFlightRequests: args.idempotent ? 1 : undefined,
    allowAutoTopicCreation: args.allowAutoTopicCreation ?? false,
  });
  await producer.connect();
  const batchSize = args.batchSize ?? args.messages.length;
  const sent = [];
  try {
    for (let i = 0; i < args.messages.length; i += batchSize) {
      const messages = args.messages.slice(i, i + batchSize).map((m) => {
        const headers = {};
        for (const [key, value] of m.headers ?? []) {
          const bytes = toBytes(value);
          headers[key] = key in headers ? [].concat(headers[key], bytes) : bytes;
        }
        return { partition: m.partition, key: toBytes(m.key), value: toBytes(m.value), headers };
      });
      const result = await producer.send({
        topic: args.topic,
        acks: args.acks ?? -1,
        compression: compressions[args.compression ?? 'none'],
        messages,
      });
      sent.push(...result.map((r) => ({ partition: r.partition, baseOffset: Number(r.baseOffset), errorCode: r.errorCode })));
    }
  } finally {
    await producer.disconnect();
  }

  emit('result', { sent });
});
