// A NestJS application using ClientKafka (ClientsModule.register, injected into a service), as a NestJS user writes it.
// ShopService emits args.events to args.eventTopic (emit: fire and forget, awaited until kafkajs has the ack) and
// sends each of args.requests (arrays of numbers) to args.requestTopic, awaiting the answer over the reply topic
// (subscribeToResponseOf). args.producerOnlyMode: no consumer, so events only. Answers "result" with the replies.
import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { lastValueFrom, timeout } from 'rxjs';
import { args, emit, run } from './lib.js';
import { kafkaClient, logger } from './nest.js';

class ShopService {
  constructor(client) {
    this.client = client;
  }

  async onModuleInit() {
    if (!args.producerOnlyMode) {
      this.client.subscribeToResponseOf(args.requestTopic);
    }
    await this.client.connect();
  }

  placeOrder(order) {
    return lastValueFrom(this.client.emit(args.eventTopic, { key: order.id, value: order }));
  }

  sum(numbers) {
    return lastValueFrom(this.client.send(args.requestTopic, numbers).pipe(timeout(60000)));
  }
}
Inject('ORDERS_SERVICE')(ShopService, undefined, 0);
Injectable()(ShopService);

class AppModule {}
Module({
  imports: [
    ClientsModule.register([
      {
        name: 'ORDERS_SERVICE',
        transport: Transport.KAFKA,
        options: {
          client: kafkaClient('shop'),
          consumer: { groupId: args.groupId ?? 'shop', sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 500 },
          subscribe: { fromBeginning: true },
          producerOnlyMode: !!args.producerOnlyMode,
        },
      },
    ]),
  ],
  providers: [ShopService],
})(AppModule);

run(async () => {
  const app = await NestFactory.createApplicationContext(AppModule, { logger });
  const shop = app.get(ShopService);
  for (const order of args.events ?? []) {
    await shop.placeOrder(order);
  }

  const replies = [];
  for (const numbers of args.requests ?? []) {
    replies.push(await shop.sum(numbers));
  }

  await app.close();
  emit('result', { replies });
});
