// kafkajs admin client: runs args.ops in order ({op, ...arguments}) and answers each one's result, or its error
// (name, message, type) when args.ops[i].expectError, so a spec can check a refusal too.
import { args, emit, kafka, kafkajs, run } from './lib.js';

const { AssignerProtocol } = kafkajs;

/** describeGroups answers each member's metadata and assignment as bytes; for a "consumer" group, decoded too. */
async function describeGroups(admin, groupIds) {
  const described = await admin.describeGroups(groupIds);
  for (const group of described.groups) {
    if (group.protocolType === 'consumer') {
      for (const member of group.members) {
        member.decodedMetadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
        member.decodedAssignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? null;
      }
    }
  }
  return described;
}

const operations = {
  createTopics: (admin, { topics, validateOnly, waitForLeaders, timeout }) => admin.createTopics({ topics, validateOnly, waitForLeaders, timeout }),
  listTopics: (admin) => admin.listTopics(),
  fetchTopicMetadata: (admin, { topics }) => admin.fetchTopicMetadata({ topics }),
  fetchTopicOffsets: (admin, { topic }) => admin.fetchTopicOffsets(topic),
  fetchTopicOffsetsByTimestamp: (admin, { topic, timestamp }) => admin.fetchTopicOffsetsByTimestamp(topic, timestamp),
  createPartitions: (admin, { topicPartitions }) => admin.createPartitions({ topicPartitions }),
  deleteTopics: (admin, { topics }) => admin.deleteTopics({ topics }),
  describeCluster: (admin) => admin.describeCluster(),
  listGroups: (admin) => admin.listGroups(),
  describeGroups: (admin, { groupIds }) => describeGroups(admin, groupIds),
  fetchOffsets: (admin, { groupId, topics }) => admin.fetchOffsets({ groupId, topics }),
  resetOffsets: (admin, { groupId, topic, earliest }) => admin.resetOffsets({ groupId, topic, earliest }),
  setOffsets: (admin, { groupId, topic, partitions }) => admin.setOffsets({ groupId, topic, partitions }),
  deleteGroups: (admin, { groupIds }) => admin.deleteGroups(groupIds),
};

/** Buffers (member metadata and assignments) as base64, so the answer stays JSON. */
const replacer = (key, value) => (value && value.type === 'Buffer' && Array.isArray(value.data) ? Buffer.from(value.data).toString('base64') : value);

run(async () => {
  const admin = kafka('actorstream-js-admin').admin();
  await admin.connect();
  const results = [];
  try {
    for (const { op, expectError, ...rest } of args.ops) {
      try {
        const value = await operations[op](admin, rest);
        results.push({ op, ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value, replacer)) });
      } catch (error) {
        if (!expectError) {
          throw error;
        }
        results.push({ op, ok: false, error: { name: error.name, message: String(error.message), type: error.type ?? null } });
      }
    }
  } finally {
    await admin.disconnect();
  }

  emit('result', { results });
});
