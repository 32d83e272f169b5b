using Akka.Actor;
using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// InitProducerId v0-4 for idempotent producers (<c>enable.idempotence=true</c>): a new producer id from the
/// controller, epoch 0. A request that names a producer id and epoch to bump (KIP-360, v3+) gets a new producer id
/// as well, which clients accept. A transactional id gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED until transactions exist.
/// </summary>
internal sealed class Api22InitProducerId : KafkaApi<InitProducerIdRequest, InitProducerIdResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    public override string Notes =>
        "Idempotent producers only: a transactional_id gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED (no transactions yet); an epoch bump gets a new producer id.";

    protected override async ValueTask<InitProducerIdResponse?> HandleAsync(KafkaRequestContext context, InitProducerIdRequest request, CancellationToken cancellationToken)
    {
        if (request.TransactionalId is not null)
        {
            return new InitProducerIdResponse { ErrorCode = (short)ErrorCode.TransactionalIdAuthorizationFailed, ProducerId = -1, ProducerEpoch = -1 };
        }

        var answer = await context.Services.BrokerEndpoint
            .Ask<Native.InitProducerIdResponse>(new Native.InitProducerIdRequest(), context.Services.RequestTimeout, cancellationToken)
            .ConfigureAwait(false);
        return answer.ErrorCode == 0
            ? new InitProducerIdResponse { ProducerId = answer.ProducerId, ProducerEpoch = (short)answer.ProducerEpoch }
            : new InitProducerIdResponse { ErrorCode = (short)answer.ErrorCode, ProducerId = -1, ProducerEpoch = -1 };
    }
}
