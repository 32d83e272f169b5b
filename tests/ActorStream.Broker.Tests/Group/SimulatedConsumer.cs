using ActorStream.Broker.Group;
using ActorStream.Protocol;

namespace ActorStream.Broker.Tests.Group;

/// <summary>
/// A consumer client as the coordinator's counterpart: it knows only what the coordinator's replies told it.
/// <see cref="Owned"/> is what it holds: an eager consumer gives up everything before it rejoins; a cooperative one keeps
/// its partitions, declares them in JoinGroup, drops what a new assignment leaves out and then rejoins (KIP-429).
/// A consumer whose member is removed by the coordinator (expiry, rebalance timeout) loses its partitions
/// (Kafka's onPartitionsLost) and joins again as a new member.
/// </summary>
public sealed class SimulatedConsumer(string clientId, string groupId, string[] topics, string assignor, string? instanceId, bool cooperative)
{
    private long _commits;

    public string ClientId { get; } = clientId;

    public string GroupId { get; } = groupId;

    public string[] Topics { get; } = topics;

    public string Assignor { get; } = assignor;

    public string? InstanceId { get; } = instanceId;

    public string MemberId { get; private set; } = "";

    public int Generation { get; private set; } = -1;

    public HashSet<GroupTopicPartition> Owned { get; } = [];

    public bool AwaitingJoin { get; private set; }

    public bool NeedsRejoin { get; private set; }

    /// <summary>True once the consumer is a member with a completed generation and nothing left to do.</summary>
    public bool Settled => MemberId.Length != 0 && !AwaitingJoin && !NeedsRejoin && Generation >= 0;

    /// <summary>One turn of the consumer's poll loop: (re)join if it must, else heartbeat and react.</summary>
    public void Step(GroupCoordinatorContext ctx)
    {
        if (AwaitingJoin)
        {
            return;
        }

        if (MemberId.Length == 0 || NeedsRejoin)
        {
            Join(ctx);
            return;
        }

        switch (ctx.Heartbeat(GroupId, MemberId, Generation, InstanceId).Error)
        {
            case ErrorCode.None:
                // In its current generation a member may commit every partition it holds.
                foreach (var partition in Owned.Take(1))
                {
                    Assert.Equal(ErrorCode.None, ctx.CommitOne(GroupId, MemberId, Generation, partition.Topic, partition.Partition, ++_commits));
                }

                break;
            case ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration:
                Join(ctx);
                break;
            case ErrorCode.UnknownMemberId:
                Lose();
                break;
            case var other:
                throw new InvalidOperationException($"unexpected heartbeat error {other}");
        }
    }

    public JoinGroupResponse Join(GroupCoordinatorContext ctx)
    {
        if (!cooperative)
        {
            Owned.Clear();
        }

        NeedsRejoin = false;
        AwaitingJoin = true;
        var response = ctx.Join(GroupId, Topics, Assignor, MemberId, InstanceId, ClientId, Owned);
        if (AwaitingJoin)
        {
            // Not already answered by the context's completion callback while handling this very join.
            Complete(response);
        }

        return response;
    }

    /// <summary>A JoinGroup reply: parked, completed, or the member is gone.</summary>
    public void Complete(JoinGroupResponse response)
    {
        switch (response.Error)
        {
            case ErrorCode.None when response.Pending:
                MemberId = response.MemberId;
                AwaitingJoin = true;
                break;
            case ErrorCode.None:
                MemberId = response.MemberId;
                AwaitingJoin = false;
                Generation = response.GenerationId;
                var assigned = response.Assignment.ToHashSet();
                NeedsRejoin = cooperative && Owned.Any(p => !assigned.Contains(p));
                Owned.Clear();
                Owned.UnionWith(assigned);
                break;
            case ErrorCode.UnknownMemberId:
                Lose();
                break;
            default:
                throw new InvalidOperationException($"unexpected join error {response.Error}");
        }
    }

    /// <summary>
    /// The worst interleaving of a generation's replies: the consumer starts on its new partitions before anyone (itself
    /// included) has dropped a revoked one. <see cref="Complete"/> then drops what the new assignment leaves out.
    /// </summary>
    public void StartConsuming(JoinGroupResponse response)
    {
        if (response is { Error: ErrorCode.None, Pending: false })
        {
            Owned.UnionWith(response.Assignment);
        }
    }

    /// <summary>Learns its member id from the coordinator's events while its own JoinGroup is still being answered.</summary>
    public void BindMemberId(string memberId)
    {
        if (AwaitingJoin && MemberId.Length == 0)
        {
            MemberId = memberId;
        }
    }

    /// <summary>The coordinator removed this member: its partitions are lost and it will join again as a new member.</summary>
    public void Lose()
    {
        Owned.Clear();
        MemberId = "";
        Generation = -1;
        AwaitingJoin = false;
        NeedsRejoin = false;
    }
}
