// What the NestJS scripts share: a Nest logger on stderr (Nest's default prints to stdout, which carries our JSON
// lines) and the Kafka client options from the spec's argument.
import { args, stderrLogCreator } from './lib.js';

const write = (level) => (message, ...rest) => process.stderr.write(`${new Date().toISOString()} nest ${level} ${typeof message === 'string' ? message : JSON.stringify(message)} ${rest.map(String).join(' ')}\n`);

export const logger = { log: write('LOG'), error: write('ERROR'), warn: write('WARN'), debug: write('DEBUG'), verbose: write('VERBOSE'), fatal: write('FATAL') };

/** The `client` options of Transport.KAFKA: our brokers; kafkajs logs to stderr through our log creator. */
export const kafkaClient = (clientId) => ({ clientId, brokers: args.brokers, logCreator: stderrLogCreator, retry: { retries: 10 } });
