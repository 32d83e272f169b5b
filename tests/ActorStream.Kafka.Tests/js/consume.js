// kafkajs consumer group member: subscribes to args.topics in args.groupId (fromBeginning as args.fromBeginning) and
// writes one line per group join ("joined": memberId, leader, assignment) and per record ("record"). Stops, committing
// and leaving the group, when args.stopAfter records were read or when the spec closes stdin; then "stopped".
import { args, emit, kafka, recordJson, run, stopRequested } from './lib.js';

run(async () => {
  const consumer = kafka(args.clientId ?? 'actorstream-js-consumer').consumer({
    groupId: args.groupId,
    sessionTimeout: args.sessionTimeout ?? 10000,
    rebalanceTimeout: args.rebalanceTimeout ?? 20000,
    heartbeatInterval: args.heartbeatInterval ?? 1000,
    maxWaitTimeInMs: args.maxWaitTimeInMs ?? 500,
    allowAutoTopicCreation: false,
  });
  let crashed = null;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
    emit('joined', { memberId: payload.memberId, leaderId: payload.leaderId, isLeader: payload.isLeader, groupProtocol: payload.groupProtocol, assignment: payload.memberAssignment }),
  );
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    crashed = payload.error;
    emit('crashed', { message: String(payload.error?.message ?? payload.error), restart: payload.restart });
  });

  await consumer.connect();
  await consumer.subscribe({ topics: args.topics, fromBeginning: !!args.fromBeginning });

  let count = 0;
  let reachedLimit;
  const limit = new Promise((resolve) => (reachedLimit = resolve));
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      emit('record', recordJson(topic, partition, message));
      count++;
      if (args.stopAfter && count >= args.stopAfter) {
        reachedLimit();
      }
    },
  });

  await Promise.race([stopRequested(), limit]);
  await consumer.disconnect();
  emit('stopped', { count, crashed: crashed ? String(crashed.message ?? crashed) : null });
});
