namespace ActorStream.Broker.Hosting;

/// <summary>The <see cref="INodeListener"/>s a node owns: bound together, started together, disposed once.</summary>
internal sealed class NodeListeners(IReadOnlyList<INodeListener> listeners) : IAsyncDisposable
{
    private int _disposed;

    public IReadOnlyList<AdvertisedListener> Advertised { get; private set; } = [];

    public void Bind()
    {
        var advertised = new List<AdvertisedListener>();
        foreach (var listener in listeners)
        {
            advertised.AddRange(listener.Bind());
        }

        Advertised = advertised;
    }

    public void Start(BrokerNode node)
    {
        foreach (var listener in listeners)
        {
            listener.Start(node);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var listener in listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }
    }
}
