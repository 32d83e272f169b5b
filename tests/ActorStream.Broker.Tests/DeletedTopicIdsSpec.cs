using ActorStream.Broker.Controller;

namespace ActorStream.Broker.Tests;

public sealed class DeletedTopicIdsSpec
{
    private static string Id(int n) => n.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Ids_must_be_kept_oldest_first_without_duplicates()
    {
        var ids = new DeletedTopicIds();
        ids.Add(Id(1));
        ids.Add(Id(2));
        ids.Add(Id(1));
        ids.Add("");

        Assert.Equal([Id(1), Id(2)], ids.OldestFirst);
        Assert.True(ids.Contains(Id(2)));
        Assert.False(ids.Contains(Id(3)));
    }

    [Fact]
    public void Beyond_the_capacity_the_oldest_ids_must_be_forgotten()
    {
        var ids = new DeletedTopicIds();
        for (var n = 0; n < DeletedTopicIds.Capacity + 2; n++)
        {
            ids.Add(Id(n));
        }

        Assert.Equal(DeletedTopicIds.Capacity, ids.Count);
        Assert.Equal(Id(2), ids.OldestFirst.First());
        Assert.Equal(Id(DeletedTopicIds.Capacity + 1), ids.OldestFirst.Last());
        Assert.False(ids.Contains(Id(0)));
        Assert.False(ids.Contains(Id(1)));
        Assert.True(ids.Contains(Id(2)));
    }

    [Fact]
    public void Reset_must_replace_the_content_and_keep_the_capacity()
    {
        var ids = new DeletedTopicIds();
        ids.Add(Id(1));

        ids.Reset(Enumerable.Range(10, DeletedTopicIds.Capacity + 1).Select(Id));

        Assert.False(ids.Contains(Id(1)));
        Assert.False(ids.Contains(Id(10)));
        Assert.Equal(DeletedTopicIds.Capacity, ids.Count);
        Assert.Equal(Id(11), ids.OldestFirst.First());
    }
}
