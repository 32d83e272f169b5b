using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ActorStream.Bench.Limits;

/// <summary>
/// The network path's ceiling: a raw TCP pump over loopback between two sockets (a sender and a receiver thread),
/// 256 KiB writes, no framing or acknowledgement: what any broker's bytes cross on their way in and out.
/// </summary>
internal static class TcpLoopbackLimit
{
    private const int ChunkSize = 256 * 1024;

    public static async Task<double> BytesPerSecondAsync(long bytes, CancellationToken cancellationToken)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptSocketAsync(cancellationToken).AsTask();
        await sender.ConnectAsync((IPEndPoint)listener.LocalEndpoint, cancellationToken).ConfigureAwait(false);
        using var receiver = await accept.ConfigureAwait(false);
        var chunks = (bytes + ChunkSize - 1) / ChunkSize;
        var total = chunks * ChunkSize;
        var clock = Stopwatch.StartNew();
        var send = Task.Run(
            () =>
            {
                var chunk = new byte[ChunkSize];
                for (var i = 0L; i < chunks; i++)
                {
                    var sent = 0;
                    while (sent < chunk.Length)
                    {
                        sent += sender.Send(chunk, sent, chunk.Length - sent, SocketFlags.None);
                    }
                }
            },
            cancellationToken);
        var receive = Task.Run(
            () =>
            {
                var buffer = new byte[ChunkSize];
                var received = 0L;
                while (received < total)
                {
                    var read = receiver.Receive(buffer);
                    if (read == 0)
                    {
                        throw new IOException($"the pump's connection closed after {received} of {total} bytes");
                    }

                    received += read;
                }
            },
            cancellationToken);
        await Task.WhenAll(send, receive).ConfigureAwait(false);
        return total / clock.Elapsed.TotalSeconds;
    }
}
