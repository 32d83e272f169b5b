using System.Collections.Concurrent;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>An <see cref="ITestOutputHelper"/> that keeps the lines it is given (and passes them on), for specs of the helpers.</summary>
public sealed class RecordingOutput(ITestOutputHelper inner) : ITestOutputHelper
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public void WriteLine(string message)
    {
        _lines.Enqueue(message);
        inner.WriteLine(message);
    }

    public void WriteLine(string format, params object[] args) => WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
}
