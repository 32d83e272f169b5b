namespace ActorStream.Client.Producer;

/// <summary>What an append did: the record's completion, its batch, and whether the node should be woken.</summary>
internal readonly record struct AppendResult(Task<RecordMetadata> Completion, ProducerBatch Batch, bool NewBatch, bool BatchFull, bool QueueWasEmpty);
