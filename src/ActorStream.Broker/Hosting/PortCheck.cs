using System.Net;
using System.Net.Sockets;

namespace ActorStream.Broker.Hosting;

/// <summary>
/// Fails fast, with one line naming the port, when another process listens on a port the node is about to open: the
/// remote transport binds with address reuse, so a second node on the same port could otherwise start and silently
/// share the port's connections. Port 0 (bind any free port) is never checked. Each listener the node opens adds its
/// port to the list (the Akka.Remote port); listeners that bind their own sockets before the node starts (the Kafka
/// gateway, see <see cref="INodeListener"/>) report a taken port with <see cref="InUse"/>, in the same words.
/// </summary>
public static class PortCheck
{
    /// <summary>A port the node opens: <paramref name="Name"/> says which (e.g. <c>port</c>, <c>kafka-port</c>).</summary>
    public readonly record struct NodePort(string Name, int Port);

    public static void EnsureFree(string host, IEnumerable<NodePort> ports)
    {
        var address = Resolve(host);
        foreach (var (name, port) in ports)
        {
            if (port == 0)
            {
                continue;
            }

            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Bind(new IPEndPoint(address, port));
            }
            catch (SocketException e)
            {
                throw InUse(host, port, $"actorstream.broker.{name}", e);
            }
        }
    }

    /// <summary>
    /// The one-line error of a port the node cannot bind; <paramref name="what"/> names the setting (and listener) that
    /// asked for it, e.g. <c>actorstream.broker.port</c> or <c>Kafka listener PLAINTEXT, actorstream.kafka.listeners</c>.
    /// </summary>
    public static PortInUseException InUse(string host, int port, string what, SocketException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new PortInUseException(
            $"Port {port} on {host} ({what}) is not available ({error.SocketErrorCode}): is another node running there? Choose another port, or 0 for any free one",
            error);
    }

    private static IPAddress Resolve(string host)
    {
        // An IP literal (0.0.0.0 for a bind-host on every interface) is not a name to resolve.
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
    }
}

/// <summary>A port the node must open is taken (see <see cref="PortCheck"/>).</summary>
public sealed class PortInUseException(string message, Exception inner) : IOException(message, inner);
