namespace ActorStream.TestKit;

/// <summary>
/// Awaits a condition that other actors or processes make true (Akka TestKit's AwaitAssert for code that is not a
/// TestKit class): re-checks it until it holds, failing after <paramref name="timeout"/>. Never a fixed sleep.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string? what = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition().ConfigureAwait(false))
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"Condition not met within {timeout}: {what ?? "(unnamed)"}");
            }

            await Task.Delay(Interval, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string? what = null) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Re-runs <paramref name="assertion"/> until it stops throwing; the last failure surfaces after the timeout.</summary>
    public static async Task AssertAsync(Func<Task> assertion, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await assertion().ConfigureAwait(false);
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(Interval).ConfigureAwait(false);
            }
        }
    }
}
