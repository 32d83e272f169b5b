// A NestJS microservice on the Kafka transport, as a NestJS user writes it (plain JavaScript: the decorators applied
// as functions, which is what TypeScript compiles them to). OrdersController handles args.eventTopic with
// @EventPattern (each event becomes an "event" line) and answers args.requestTopic with @MessagePattern (the sum and count of
// the numbers it is sent, over NestJS's reply topic). "listening" once the server's consumer joined its group; the
// spec closes stdin to stop it.
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload, Transport } from '@nestjs/microservices';
import { args, emit, run, stopRequested } from './lib.js';
import { kafkaClient, logger } from './nest.js';

class OrdersController {
  orderCreated(order, context) {
    const message = context.getMessage();
    emit('event', {
      topic: context.getTopic(),
      partition: context.getPartition(),
      offset: Number(message.offset),
      key: message.key === null ? null : message.key.toString(),
      order,
    });
  }

  sum(numbers) {
    emit('request', { numbers });
    return { sum: numbers.reduce((total, n) => total + n, 0), count: numbers.length };
  }
}

const method = (name) => Object.getOwnPropertyDescriptor(OrdersController.prototype, name);
Reflect.decorate([EventPattern(args.eventTopic)], OrdersController.prototype, 'orderCreated', method('orderCreated'));
Payload()(OrdersController.prototype, 'orderCreated', 0);
Ctx()(OrdersController.prototype, 'orderCreated', 1);
Reflect.decorate([MessagePattern(args.requestTopic)], OrdersController.prototype, 'sum', method('sum'));
Payload()(OrdersController.prototype, 'sum', 0);
Controller()(OrdersController);

class AppModule {}
Module({ controllers: [OrdersController] })(AppModule);

run(async () => {
  const app = await NestFactory.createMicroservice(AppModule, {
    logger,
    transport: Transport.KAFKA,
    options: {
      client: kafkaClient('orders'),
      consumer: { groupId: args.groupId, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 500 },
      subscribe: { fromBeginning: true },
    },
  });
  await app.listen();
  emit('listening');
  await stopRequested();
  await app.close();
  emit('stopped');
});
