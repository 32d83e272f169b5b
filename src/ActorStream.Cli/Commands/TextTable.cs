namespace ActorStream.Cli.Commands;

/// <summary>Prints rows as left-aligned columns separated by a space, like Kafka's tools (a header row first).</summary>
internal static class TextTable
{
    public static void Write(TextWriter output, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> body)
    {
        var rows = new List<IReadOnlyList<string>> { header };
        rows.AddRange(body);
        var widths = Enumerable.Range(0, header.Count).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            output.WriteLine(string.Join(" ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }
    }
}
