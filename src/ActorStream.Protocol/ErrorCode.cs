namespace ActorStream.Protocol;

/// <summary>
/// Kafka's error codes (<c>org.apache.kafka.common.protocol.Errors</c>). Names may change, codes never do.
/// Replies carry one code per partition; exceptions are for bugs and corruption only.
/// </summary>
public enum ErrorCode : short
{
    UnknownServerError = -1,
    None = 0,
    OffsetOutOfRange = 1,
    CorruptMessage = 2,
    UnknownTopicOrPartition = 3,
    InvalidFetchSize = 4,
    LeaderNotAvailable = 5,
    NotLeaderOrFollower = 6,
    RequestTimedOut = 7,
    BrokerNotAvailable = 8,
    ReplicaNotAvailable = 9,
    MessageTooLarge = 10,
    NetworkException = 13,
    CoordinatorLoadInProgress = 14,
    CoordinatorNotAvailable = 15,
    NotCoordinator = 16,
    InvalidTopicException = 17,
    RecordListTooLarge = 18,
    NotEnoughReplicas = 19,
    NotEnoughReplicasAfterAppend = 20,
    InvalidRequiredAcks = 21,
    IllegalGeneration = 22,
    InconsistentGroupProtocol = 23,
    InvalidGroupId = 24,
    UnknownMemberId = 25,
    InvalidSessionTimeout = 26,
    RebalanceInProgress = 27,
    InvalidCommitOffsetSize = 28,
    InvalidTimestamp = 32,
    UnsupportedVersion = 35,
    InvalidPartitions = 37,
    InvalidReplicationFactor = 38,
    InvalidReplicaAssignment = 39,
    InvalidConfig = 40,
    NotController = 41,
    InvalidRequest = 42,
    UnsupportedForMessageFormat = 43,
    OutOfOrderSequenceNumber = 45,
    DuplicateSequenceNumber = 46,
    InvalidProducerEpoch = 47,
    InvalidProducerIdMapping = 49,
    /// <summary>Kafka's TRANSACTIONAL_ID_AUTHORIZATION_FAILED: what the Kafka gateway answers a transactional producer (no transactions yet).</summary>
    TransactionalIdAuthorizationFailed = 53,
    KafkaStorageError = 56,
    LogDirNotFound = 57,
    UnknownProducerId = 59,
    FencedLeaderEpoch = 74,
    UnknownLeaderEpoch = 75,
    UnsupportedCompressionType = 76,
    /// <summary>Kafka's FETCH_SESSION_ID_NOT_FOUND: the Kafka gateway keeps no fetch sessions (KIP-227).</summary>
    FetchSessionIdNotFound = 70,
    /// <summary>Kafka's INVALID_UPDATE_VERSION: an AlterPartition based on a stale partition epoch.</summary>
    InvalidUpdateVersion = 108,
    /// <summary>Kafka's FENCED_MEMBER_EPOCH (KIP-848): the member must rejoin with epoch 0.</summary>
    FencedMemberEpoch = 110,
    /// <summary>Kafka's UNRELEASED_INSTANCE_ID (KIP-848): the static member's previous incarnation still holds the instance id.</summary>
    UnreleasedInstanceId = 111,
    OffsetNotAvailable = 78,
    MemberIdRequired = 79,
    /// <summary>Kafka's GROUP_MAX_SIZE_REACHED (group.max.size).</summary>
    GroupMaxSizeReached = 81,
    /// <summary>Kafka's FENCED_INSTANCE_ID: another member id now holds this group.instance.id.</summary>
    FencedInstanceId = 82,
    /// <summary>Kafka's GROUP_SUBSCRIBED_TO_TOPIC: OffsetDelete of a topic the group still consumes.</summary>
    GroupSubscribedToTopic = 86,
    /// <summary>Kafka's PREFERRED_LEADER_NOT_AVAILABLE: the preferred replica is down or out of the ISR.</summary>
    PreferredLeaderNotAvailable = 80,
    /// <summary>Kafka's ELIGIBLE_LEADERS_NOT_AVAILABLE.</summary>
    EligibleLeadersNotAvailable = 83,
    /// <summary>Kafka's ELECTION_NOT_NEEDED: the preferred replica already leads.</summary>
    ElectionNotNeeded = 84,
    GroupIdNotFound = 69,
    NonEmptyGroup = 68,
    TopicAlreadyExists = 36,
    InvalidRecord = 87,
    UnstableOffsetCommit = 88,
    UnknownTopicId = 100,
    /// <summary>Kafka's DUPLICATE_BROKER_REGISTRATION: another live node already registered this node id.</summary>
    DuplicateBrokerRegistration = 101,
    InconsistentClusterId = 104,
    InvalidRegularExpression = 128,
}

public static class ErrorCodeExtensions
{
    /// <summary>True for errors a client should retry after refreshing metadata or backing off (Kafka's RetriableException).</summary>
    public static bool IsRetriable(this ErrorCode code) => code switch
    {
        ErrorCode.CorruptMessage or ErrorCode.UnknownTopicOrPartition or ErrorCode.LeaderNotAvailable
            or ErrorCode.NotLeaderOrFollower or ErrorCode.RequestTimedOut or ErrorCode.NetworkException
            or ErrorCode.CoordinatorLoadInProgress or ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator
            or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.KafkaStorageError
            or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch or ErrorCode.OffsetNotAvailable
            or ErrorCode.BrokerNotAvailable or ErrorCode.ReplicaNotAvailable => true,
        _ => false,
    };

    public static ErrorCode FromStorage(ActorStream.Storage.Errors.StorageErrorCode code) => (ErrorCode)(short)code;
}
