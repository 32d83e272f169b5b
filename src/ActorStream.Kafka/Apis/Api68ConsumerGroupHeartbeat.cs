using System.Collections.Immutable;
using System.Net;
using System.Text.RegularExpressions;
using Akka.Actor;
using ActorStream.Kafka.Hosting;
using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// ConsumerGroupHeartbeat v0-1 (KIP-848, <c>group.protocol=consumer</c>): the member is a Native-mode member of the
/// group coordinator, the same server-side assignment native consumers get, so both kinds can share one group. Epoch 0
/// joins with a JoinGroup that does not wait for the round (<c>no_wait</c>); a later heartbeat is a Heartbeat, or again
/// such a JoinGroup when the group is rebalancing or the member's subscription changed or it acknowledged a revocation.
/// The member epoch is the group's generation; the assignment is the member's partitions without those it must still
/// revoke (the coordinator hands a partition over only once its old owner gave it up). ServerAssignor "uniform" (the
/// default) is the coordinator's cooperative-sticky assignor, "range" its range assignor.
/// </summary>
internal sealed class Api68ConsumerGroupHeartbeat : KafkaApi<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>
{
    /// <summary>Kafka's UNSUPPORTED_ASSIGNOR.</summary>
    private const short UnsupportedAssignor = 112;

    private const int JoinEpoch = 0;

    private const int LeaveEpoch = -1;

    private const int StaticLeaveEpoch = -2;

    /// <summary>Kafka's default max.poll.interval.ms: the rebalance timeout of a member that did not send one.</summary>
    private const int DefaultRebalanceTimeoutMs = 300_000;

    /// <summary>KIP-848's server assignors by the names clients send, as the coordinator's assignors.</summary>
    private static readonly ImmutableDictionary<string, string> Assignors = ImmutableDictionary.CreateRange(StringComparer.Ordinal,
    [
        KeyValuePair.Create("uniform", "cooperative-sticky"),
        KeyValuePair.Create("range", "range"),
    ]);

    private const string DefaultAssignor = "uniform";

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    public override string Notes =>
        "KIP-848 members are native members of the coordinator (server-side assignment, shareable with native consumers). " +
        "ServerAssignor uniform (cooperative-sticky) or range; SubscribedTopicRegex for simple regexes only; no rack-aware assignment.";

    protected override async ValueTask<ConsumerGroupHeartbeatResponse?> HandleAsync(
        KafkaRequestContext context, ConsumerGroupHeartbeatRequest request, CancellationToken cancellationToken)
    {
        var members = ConsumerGroupMembers.Get(context.Services.System);
        try
        {
            if (string.IsNullOrEmpty(request.GroupId))
            {
                return Error(ErrorCode.InvalidRequest, "GroupId can't be empty.");
            }

            if (request.MemberId.Length == 0 && (context.Header.ApiVersion >= 1 || request.MemberEpoch != JoinEpoch))
            {
                return Error(ErrorCode.InvalidRequest, "MemberId can't be empty.");
            }

            return request.MemberEpoch switch
            {
                LeaveEpoch or StaticLeaveEpoch => await LeaveAsync(context, members, request, cancellationToken).ConfigureAwait(false),
                JoinEpoch => await JoinAsync(context, members, request, cancellationToken).ConfigureAwait(false),
                < StaticLeaveEpoch => Error(ErrorCode.InvalidRequest, $"MemberEpoch {request.MemberEpoch} is not valid."),
                _ => await HeartbeatAsync(context, members, request, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (AskTimeoutException)
        {
            // The coordinator did not answer in time (it is moving, or its node is overloaded): librdkafka looks it up again.
            return Error(ErrorCode.CoordinatorNotAvailable, "The group coordinator did not answer in time");
        }
        catch (InvalidSubscriptionException e)
        {
            return Error(e.Error, e.Message);
        }
    }

    private static async Task<ConsumerGroupHeartbeatResponse> LeaveAsync(
        KafkaRequestContext context, ConsumerGroupMembers members, ConsumerGroupHeartbeatRequest request, CancellationToken cancellationToken)
    {
        members.Forget(request.GroupId, request.MemberId);
        if (request.MemberEpoch == StaticLeaveEpoch)
        {
            if (request.InstanceId is null)
            {
                return Error(ErrorCode.InvalidRequest, "InstanceId can't be null for a static member leaving with epoch -2.");
            }

            // The static member stays (keeping its partitions) until its session times out; its rejoin with the same
            // instance id takes its place without a rebalance.
            return new ConsumerGroupHeartbeatResponse { MemberId = request.MemberId, MemberEpoch = StaticLeaveEpoch, HeartbeatIntervalMs = members.Settings.HeartbeatIntervalMs };
        }

        var leave = new NativeGroup.LeaveGroupRequest { GroupId = request.GroupId, MemberId = request.MemberId, Reason = "the consumer left (KIP-848 epoch -1)" };
        var response = await AskAsync<NativeGroup.LeaveGroupResponse>(context, leave, cancellationToken).ConfigureAwait(false);
        var error = (ErrorCode)response.ErrorCode;
        return error is ErrorCode.None or ErrorCode.UnknownMemberId
            ? new ConsumerGroupHeartbeatResponse { MemberId = request.MemberId, MemberEpoch = LeaveEpoch, HeartbeatIntervalMs = members.Settings.HeartbeatIntervalMs }
            : Error(error, $"LeaveGroup failed: {error}");
    }

    /// <summary>
    /// Epoch 0: a new member, or a known one rejoining after it was fenced. A member id the coordinator does not know joins
    /// as a new member (the coordinator gives it its own id, which librdkafka adopts from the response).
    /// </summary>
    private static async Task<ConsumerGroupHeartbeatResponse> JoinAsync(
        KafkaRequestContext context, ConsumerGroupMembers members, ConsumerGroupHeartbeatRequest request, CancellationToken cancellationToken)
    {
        if (request.SubscribedTopicNames is null && string.IsNullOrEmpty(request.SubscribedTopicRegex))
        {
            return Error(ErrorCode.InvalidRequest, "SubscribedTopicNames or SubscribedTopicRegex must be set in the first request.");
        }

        var known = members.Find(request.GroupId, request.MemberId);
        var member = await MergeAsync(context, request, known, cancellationToken).ConfigureAwait(false);
        if (known is not null)
        {
            var rejoined = await JoinGroupAsync(context, members, request.GroupId, member, cancellationToken).ConfigureAwait(false);
            if (rejoined.ErrorCode != (short)ErrorCode.UnknownMemberId)
            {
                return rejoined;
            }

            members.Forget(request.GroupId, request.MemberId);
        }

        return await JoinGroupAsync(context, members, request.GroupId, member with { MemberId = "" }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ConsumerGroupHeartbeatResponse> HeartbeatAsync(
        KafkaRequestContext context, ConsumerGroupMembers members, ConsumerGroupHeartbeatRequest request, CancellationToken cancellationToken)
    {
        var known = members.Find(request.GroupId, request.MemberId)
            ?? await RecoverAsync(context, request, cancellationToken).ConfigureAwait(false);
        if (known is null)
        {
            return Error(ErrorCode.UnknownMemberId, $"Member {request.MemberId} is not a member of group {request.GroupId}.");
        }

        var member = await MergeAsync(context, request, known, cancellationToken).ConfigureAwait(false);
        var revocationAcknowledged = !known.PendingRevocation.IsEmpty && !member.SameOwned(known);
        if (!member.SameSubscription(known) || revocationAcknowledged)
        {
            return await JoinGroupAsync(context, members, request.GroupId, member, cancellationToken).ConfigureAwait(false);
        }

        var heartbeat = new NativeGroup.HeartbeatRequest { GroupId = request.GroupId, MemberId = request.MemberId, GenerationId = request.MemberEpoch };
        if (member.InstanceId is not null)
        {
            heartbeat.GroupInstanceId = member.InstanceId;
        }

        var response = await AskAsync<NativeGroup.HeartbeatResponse>(context, heartbeat, cancellationToken).ConfigureAwait(false);
        switch ((ErrorCode)response.ErrorCode)
        {
            case ErrorCode.None when request.MemberEpoch == known.Epoch:
                members.Remember(request.GroupId, member);
                return await AnswerAsync(context, members, request.GroupId, member, cancellationToken).ConfigureAwait(false);
            case ErrorCode.None or ErrorCode.IllegalGeneration:
                // The generation moved on since this member's epoch (or the gateway lost track): a known member's older
                // epoch is reconciled by answering with the current generation and assignment.
                return await RefreshAsync(context, members, request, member, cancellationToken).ConfigureAwait(false);
            case ErrorCode.RebalanceInProgress:
                return await JoinGroupAsync(context, members, request.GroupId, member, cancellationToken).ConfigureAwait(false);
            case ErrorCode.UnknownMemberId:
                members.Forget(request.GroupId, request.MemberId);
                return Error(ErrorCode.UnknownMemberId, $"Member {request.MemberId} is not a member of group {request.GroupId}.");
            case var error:
                return Error(error, $"Heartbeat failed: {error}");
        }
    }

    /// <summary>A stale epoch: the member's current generation and assignment from DescribeGroup (no rebalance).</summary>
    private static async Task<ConsumerGroupHeartbeatResponse> RefreshAsync(
        KafkaRequestContext context, ConsumerGroupMembers members, ConsumerGroupHeartbeatRequest request, ConsumerGroupMember member, CancellationToken cancellationToken)
    {
        var group = await AskAsync<NativeGroup.DescribeGroupResponse>(context, new NativeGroup.DescribeGroupRequest { GroupId = request.GroupId }, cancellationToken).ConfigureAwait(false);
        var described = group.Members.FirstOrDefault(m => m.MemberId == request.MemberId);
        if (group.ErrorCode != 0 || described is null)
        {
            members.Forget(request.GroupId, request.MemberId);
            return Error(ErrorCode.UnknownMemberId, $"Member {request.MemberId} is not a member of group {request.GroupId}.");
        }

        if (request.MemberEpoch > group.GenerationId)
        {
            members.Forget(request.GroupId, request.MemberId);
            return Error(ErrorCode.FencedMemberEpoch, $"Member epoch {request.MemberEpoch} is newer than the group's epoch {group.GenerationId}.");
        }

        if (group.State == "PreparingRebalance")
        {
            return await JoinGroupAsync(context, members, request.GroupId, member, cancellationToken).ConfigureAwait(false);
        }

        var refreshed = member with
        {
            Epoch = group.GenerationId,
            Assignment = Partitions(described.Assignment),
            PendingRevocation = Partitions(described.PendingRevocation),
        };
        members.Remember(request.GroupId, refreshed);
        return await AnswerAsync(context, members, request.GroupId, refreshed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A JoinGroup that does not wait for the round: the member's current epoch and assignment at once.</summary>
    private static async Task<ConsumerGroupHeartbeatResponse> JoinGroupAsync(
        KafkaRequestContext context, ConsumerGroupMembers members, string groupId, ConsumerGroupMember member, CancellationToken cancellationToken)
    {
        var settings = members.Settings;
        var join = new NativeGroup.JoinGroupRequest
        {
            GroupId = groupId,
            MemberId = member.MemberId,
            ClientId = context.Header.ClientId ?? "",
            ClientHost = ClientHost(context.RemoteEndPoint),
            SessionTimeoutMs = settings.SessionTimeoutMs,
            // A round needs one heartbeat from each member (revocations are acknowledged in a later heartbeat, not
            // inside the round), so a member that has not joined it within its session is gone: without this cap a
            // vanished member would hold a round for max.poll.interval.ms (librdkafka's rebalance timeout, 5 min).
            RebalanceTimeoutMs = Math.Min(member.RebalanceTimeoutMs, settings.SessionTimeoutMs),
            Assignors = { Assignors[member.ServerAssignor] },
            Topics = { member.Topics },
            OwnedPartitions = { member.Owned.Select(p => new NativeGroup.GroupPartition { Topic = p.Topic, Partition = p.Partition }) },
            NoWait = true,
        };
        if (member.InstanceId is not null)
        {
            join.GroupInstanceId = member.InstanceId;
        }

        if (member.TopicRegex is not null)
        {
            join.TopicPattern = member.TopicRegex;
        }

        var response = await AskAsync<NativeGroup.JoinGroupResponse>(context, join, cancellationToken).ConfigureAwait(false);
        var error = (ErrorCode)response.ErrorCode;
        switch (error)
        {
            case ErrorCode.None:
                break;
            case ErrorCode.InconsistentGroupProtocol:
                return Error(error, $"Group {groupId} is used with another protocol (a classic Kafka group) or assignor than {member.ServerAssignor} ({Assignors[member.ServerAssignor]}).");
            case ErrorCode.InvalidSessionTimeout:
                return Error(ErrorCode.InvalidRequest,
                    $"The broker's actorstream.kafka.consumer-group-session-timeout ({settings.SessionTimeoutMs} ms) is outside actorstream.broker.group.min/max-session-timeout-ms.");
            case ErrorCode.InvalidRegularExpression:
                return Error(error, $"SubscribedTopicRegex {member.TopicRegex} is not a valid regular expression.");
            case ErrorCode.UnknownMemberId:
                members.Forget(groupId, member.MemberId);
                return Error(error, $"Member {member.MemberId} is not a member of group {groupId}.");
            default:
                return Error(error, $"JoinGroup failed: {error}");
        }

        // A join still waiting for the round (a coordinator without no_wait answers that way) keeps the epoch the
        // member had: 0 for a new member, which makes librdkafka join again with the id it is given.
        var waiting = response.GenerationId < 0;
        var joined = member with
        {
            MemberId = response.MemberId,
            Epoch = waiting ? Math.Max(member.Epoch, 0) : response.GenerationId,
            Assignment = waiting ? member.Assignment : Partitions(response.Assignment),
            PendingRevocation = waiting ? member.PendingRevocation : Partitions(response.PendingRevocation),
        };
        members.Remember(groupId, joined);
        if (joined.MemberId != member.MemberId && member.MemberId.Length > 0)
        {
            members.Forget(groupId, member.MemberId);
        }

        return await AnswerAsync(context, members, groupId, joined, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The member as this request describes it: the fields it sent, the remembered ones for those it left null.</summary>
    private static async Task<ConsumerGroupMember> MergeAsync(
        KafkaRequestContext context, ConsumerGroupHeartbeatRequest request, ConsumerGroupMember? known, CancellationToken cancellationToken)
    {
        var assignor = request.ServerAssignor ?? known?.ServerAssignor ?? DefaultAssignor;
        if (!Assignors.ContainsKey(assignor))
        {
            throw new InvalidSubscriptionException((ErrorCode)UnsupportedAssignor,
                $"ServerAssignor {assignor} is not supported (supported: {string.Join(", ", Assignors.Keys.Order(StringComparer.Ordinal))}).");
        }

        // librdkafka sends an empty regex when the subscription has none.
        var regex = request.SubscribedTopicRegex is null ? known?.TopicRegex
            : request.SubscribedTopicRegex.Length == 0 ? null
            : TopicRegex(request.SubscribedTopicRegex);
        var owned = request.TopicPartitions is null
            ? known?.Owned ?? []
            : await OwnedAsync(context, request.TopicPartitions, cancellationToken).ConfigureAwait(false);
        return new ConsumerGroupMember(
            request.MemberId,
            request.InstanceId ?? known?.InstanceId,
            request.SubscribedTopicNames is { } names ? [.. names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] : known?.Topics ?? [],
            regex,
            assignor,
            request.RebalanceTimeoutMs > 0 ? request.RebalanceTimeoutMs : known?.RebalanceTimeoutMs ?? DefaultRebalanceTimeoutMs,
            owned,
            known?.Epoch ?? 0,
            known?.Assignment ?? [],
            known?.PendingRevocation ?? []);
    }

    /// <summary>
    /// Kafka evaluates SubscribedTopicRegex with RE2/J; the coordinator matches .NET regexes against whole topic names. A
    /// regex is taken when both read it alike: no inline options, lookaround, named groups, backreferences or Unicode
    /// classes (topic names are ASCII letters, digits, '.', '_' and '-').
    /// </summary>
    private static string TopicRegex(string regex)
    {
        if (regex.Contains("(?", StringComparison.Ordinal) || Regex.IsMatch(regex, @"\\[1-9kpPGAzZ]"))
        {
            throw new InvalidSubscriptionException(ErrorCode.InvalidRegularExpression,
                $"SubscribedTopicRegex {regex} uses syntax this broker does not evaluate as Kafka (RE2/J) does: inline groups, lookaround, backreferences and Unicode classes are not supported.");
        }

        try
        {
            _ = new Regex(regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw new InvalidSubscriptionException(ErrorCode.InvalidRegularExpression, $"SubscribedTopicRegex {regex} is not a valid regular expression: {e.Message}");
        }

        return regex;
    }

    private static async Task<ImmutableArray<(string Topic, int Partition)>> OwnedAsync(
        KafkaRequestContext context, List<ConsumerGroupHeartbeatRequest.TopicPartitionsData> topics, CancellationToken cancellationToken)
    {
        var ids = KafkaTopicIds.Get(context.Services.System);
        var owned = ImmutableArray.CreateBuilder<(string, int)>();
        foreach (var topic in topics)
        {
            // A partition of a topic that no longer exists is owned by nobody.
            if (await ids.NameAsync(context, topic.TopicId, cancellationToken).ConfigureAwait(false) is { } name)
            {
                owned.AddRange(topic.Partitions.Distinct().Order().Select(p => (name, p)));
            }
        }

        return owned.ToImmutable();
    }

    /// <summary>A member the gateway does not remember (the coordinator moved here, or the node restarted): from DescribeGroup.</summary>
    private static async Task<ConsumerGroupMember?> RecoverAsync(KafkaRequestContext context, ConsumerGroupHeartbeatRequest request, CancellationToken cancellationToken)
    {
        var group = await AskAsync<NativeGroup.DescribeGroupResponse>(context, new NativeGroup.DescribeGroupRequest { GroupId = request.GroupId }, cancellationToken).ConfigureAwait(false);
        var described = group.ErrorCode == 0 ? group.Members.FirstOrDefault(m => m.MemberId == request.MemberId) : null;
        if (described is null)
        {
            return null;
        }

        var assignor = Assignors.FirstOrDefault(a => a.Value == group.ProtocolName).Key ?? DefaultAssignor;
        var assignment = Partitions(described.Assignment);
        return new ConsumerGroupMember(
            described.MemberId,
            described.HasGroupInstanceId ? described.GroupInstanceId : null,
            [.. described.Topics.Order(StringComparer.Ordinal)],
            described.HasTopicPattern ? described.TopicPattern : null,
            assignor,
            DefaultRebalanceTimeoutMs,
            [.. assignment, .. Partitions(described.PendingRevocation)],
            group.GenerationId,
            assignment,
            Partitions(described.PendingRevocation));
    }

    /// <summary>
    /// The member's epoch and assignment, topics by id (a topic deleted meanwhile is left out). A partition another
    /// KIP-848 member still reports owning is held back until that member's heartbeat gave it up: the coordinator's
    /// eager assignors (range) hand partitions over at once, which a KIP-848 member (always incremental) must not see.
    /// </summary>
    private static async Task<ConsumerGroupHeartbeatResponse> AnswerAsync(
        KafkaRequestContext context, ConsumerGroupMembers members, string groupId, ConsumerGroupMember member, CancellationToken cancellationToken)
    {
        var ids = KafkaTopicIds.Get(context.Services.System);
        var topics = new List<ConsumerGroupHeartbeatResponse.TopicPartitions>();
        var ownedByOthers = members.OwnedByOthers(groupId, member.MemberId);
        foreach (var topic in member.Assignment.Where(p => !ownedByOthers.Contains(p)).GroupBy(p => p.Topic, StringComparer.Ordinal))
        {
            var id = await ids.IdAsync(context, topic.Key, cancellationToken).ConfigureAwait(false);
            if (id != Guid.Empty)
            {
                topics.Add(new ConsumerGroupHeartbeatResponse.TopicPartitions { TopicId = id, Partitions = [.. topic.Select(p => p.Partition)] });
            }
        }

        return new ConsumerGroupHeartbeatResponse
        {
            MemberId = member.MemberId,
            MemberEpoch = member.Epoch,
            HeartbeatIntervalMs = members.Settings.HeartbeatIntervalMs,
            Assignment = new ConsumerGroupHeartbeatResponse.AssignmentData { TopicPartitions = topics },
        };
    }

    private static ImmutableArray<(string Topic, int Partition)> Partitions(IEnumerable<NativeGroup.GroupPartition> partitions) =>
        [.. partitions.Select(p => (p.Topic, p.Partition)).Distinct().Order()];

    private static string ClientHost(EndPoint? endPoint) => endPoint is IPEndPoint ip ? "/" + ip.Address : "";

    private static Task<T> AskAsync<T>(KafkaRequestContext context, object message, CancellationToken cancellationToken) =>
        context.Services.BrokerEndpoint.Ask<T>(message, context.Services.RequestTimeout, cancellationToken);

    private static ConsumerGroupHeartbeatResponse Error(ErrorCode error, string message) =>
        new() { ErrorCode = (short)error, ErrorMessage = message, MemberEpoch = -1 };

    /// <summary>A subscription the broker refuses (assignor, regex): the heartbeat's error, nothing is sent to the coordinator.</summary>
    private sealed class InvalidSubscriptionException(ErrorCode error, string message) : Exception(message)
    {
        public ErrorCode Error { get; } = error;
    }
}
