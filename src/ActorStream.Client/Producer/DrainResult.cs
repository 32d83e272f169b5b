namespace ActorStream.Client.Producer;

/// <summary>Batches drained for one request, and when to look again (null: nothing is waiting).</summary>
internal readonly record struct DrainResult(IReadOnlyList<ProducerBatch> Batches, TimeSpan? NextCheck);
