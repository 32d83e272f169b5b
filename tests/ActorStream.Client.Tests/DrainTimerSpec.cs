using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;

namespace ActorStream.Client.Tests;

/// <summary>
/// The producer's linger/backoff wake-up runs on a <see cref="TimeProvider"/> timer armed for exactly the delay asked
/// (not rounded up to Akka's 10 ms scheduler tick), keeps only the earliest wake-up, and wakes once per firing.
/// </summary>
public sealed class DrainTimerSpec
{
    [Fact]
    public void A_wake_up_must_be_armed_for_the_delay_asked_and_fire_once()
    {
        var time = new ManualTimeProvider();
        var wakeUps = 0;
        using var timer = new DrainTimer(time, () => wakeUps++);
        var clock = Assert.Single(time.Timers);

        timer.Schedule(TimeSpan.FromMilliseconds(2));

        Assert.Equal([TimeSpan.FromMilliseconds(2)], clock.Changes);
        Assert.Equal(0, wakeUps);
        clock.Fire();
        Assert.Equal(1, wakeUps);
    }

    [Fact]
    public void A_later_wake_up_must_not_postpone_an_earlier_one_but_an_earlier_one_must_replace_it()
    {
        var time = new ManualTimeProvider();
        using var timer = new DrainTimer(time, () => { });
        var clock = Assert.Single(time.Timers);

        timer.Schedule(TimeSpan.FromMilliseconds(5));
        timer.Schedule(TimeSpan.FromMilliseconds(50)); // ignored: a wake-up is due sooner
        timer.Schedule(TimeSpan.FromMilliseconds(1)); // replaces the 5 ms one

        Assert.Equal([TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(1)], clock.Changes);
    }

    [Fact]
    public void After_firing_the_next_wake_up_must_be_armed_again()
    {
        var time = new ManualTimeProvider();
        var wakeUps = 0;
        using var timer = new DrainTimer(time, () => wakeUps++);
        var clock = Assert.Single(time.Timers);

        timer.Schedule(TimeSpan.FromMilliseconds(5));
        clock.Fire();
        timer.Schedule(TimeSpan.FromMilliseconds(20));
        clock.Fire();

        Assert.Equal([TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20)], clock.Changes);
        Assert.Equal(2, wakeUps);
    }

    [Fact]
    public void A_disposed_timer_must_not_wake_the_sender()
    {
        var time = new ManualTimeProvider();
        var wakeUps = 0;
        var timer = new DrainTimer(time, () => wakeUps++);
        var clock = Assert.Single(time.Timers);
        timer.Schedule(TimeSpan.FromMilliseconds(5));

        timer.Dispose();
        clock.Fire();

        Assert.True(clock.Disposed);
        Assert.Equal(0, wakeUps);
    }
}
