using System.Buffers;
using System.Collections;
using System.Reflection;
using ActorStream.Kafka.Generator;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;

namespace ActorStream.Kafka.Tests.Codec;

/// <summary>
/// One generated request or response class with its schema (the generator's own model of Kafka's JSON), so that tests
/// know, for every property, the versions that carry it and those in which it may be null.
/// </summary>
internal sealed class MessageModel
{
    private static readonly MethodInfo ReadOpen = typeof(MessageModel).GetMethod(nameof(ReadAs), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static readonly MethodInfo ReadDataOpen = typeof(MessageModel).GetMethod(nameof(ReadDataAs), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly Func<ReadOnlyMemory<byte>, short, (IKafkaMessage Message, int Consumed)> _read;

    private MessageModel(Type type, MessageSpec spec)
    {
        Type = type;
        Spec = spec;
        Lowest = (short)type.GetField("LowestVersion")!.GetValue(null)!;
        Highest = (short)type.GetField("HighestVersion")!.GetValue(null)!;
        Flexible = spec.FlexibleVersions;
        var read = type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IKafkaData<>)) ? ReadDataOpen : ReadOpen;
        _read = read.MakeGenericMethod(type).CreateDelegate<Func<ReadOnlyMemory<byte>, short, (IKafkaMessage, int)>>();
    }

    public Type Type { get; }

    public MessageSpec Spec { get; }

    public short Lowest { get; }

    public short Highest { get; }

    public Versions Flexible { get; }

    public bool IsFlexible(short version) => Contains(Flexible, version);

    /// <summary>Every generated request, response and data schema class.</summary>
    public static IReadOnlyList<Type> GeneratedTypes { get; } = typeof(IKafkaMessage).Assembly.GetTypes()
        .Where(t => t is { IsNested: false, IsClass: true, Namespace: "ActorStream.Kafka.Messages" } && typeof(IKafkaMessage).IsAssignableFrom(t))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    public static MessageModel Load(Type type, string schemaDirectory) =>
        new(type, MessageSpec.Load(Path.Combine(schemaDirectory, type.Name + ".json")));

    public static bool Contains(Versions versions, short version) => version >= versions.Lowest && version <= versions.Highest;

    /// <summary>The fields of a struct-typed field: inline, or a common struct of the message.</summary>
    public IReadOnlyList<FieldSpec> StructFields(FieldSpec field) =>
        field.Fields ?? Spec.CommonStructs.Single(s => s.Name == field.ElementType).Fields;

    public static bool IsStruct(FieldSpec field) => field.Fields is not null || char.IsUpper(field.ElementType[0]);

    public (IKafkaMessage Message, int Consumed) Read(ReadOnlyMemory<byte> bytes, short version) => _read(bytes, version);

    public static byte[] Write(IKafkaMessage message, short version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        message.Write(ref writer, version);
        return buffer.WrittenSpan.ToArray();
    }

    private static (IKafkaMessage, int) ReadAs<T>(ReadOnlyMemory<byte> bytes, short version)
        where T : IKafkaMessage<T>
    {
        var reader = new KafkaReader(bytes);
        var message = T.Read(ref reader, version);
        return (message, reader.Position);
    }

    private static (IKafkaMessage, int) ReadDataAs<T>(ReadOnlyMemory<byte> bytes, short version)
        where T : IKafkaData<T>
    {
        var reader = new KafkaReader(bytes);
        var message = T.Read(ref reader, version);
        return (message, reader.Position);
    }

    /// <summary>
    /// A random instance for one version: every field the version carries gets a random value (null only where the
    /// version allows it), fields it does not carry keep their defaults except ignorable ones, which may be set (they
    /// must be dropped silently); flexible versions sometimes carry unknown tagged fields.
    /// </summary>
    public IKafkaMessage Random(short version, Random random) =>
        (IKafkaMessage)RandomStruct(Type, Spec.Fields, version, random, depth: 0);

    private object RandomStruct(Type type, IReadOnlyList<FieldSpec> fields, short version, Random random, int depth)
    {
        var instance = Activator.CreateInstance(type)!;
        foreach (var field in fields)
        {
            var carried = Contains(field.Versions, version);
            if (!carried && !(field.Ignorable && random.Next(3) == 0))
            {
                continue;
            }

            var property = type.GetProperty(field.Name)!;
            property.SetValue(instance, RandomValue(field, property.PropertyType, version, random, depth));
        }

        if (IsFlexible(version) && random.Next(4) == 0)
        {
            var known = fields.Where(f => f.Tag is not null).Select(f => f.Tag!.Value).ToHashSet();
            var tags = Enumerable.Range(0, 40).Where(t => !known.Contains(t)).OrderBy(_ => random.Next()).Take(random.Next(1, 3)).Order();
            type.GetProperty("UnknownTaggedFields")!.SetValue(instance, tags.Select(t => new TaggedField(t, RandomBytes(random, 6))).ToList());
        }

        return instance;
    }

    private object? RandomValue(FieldSpec field, Type propertyType, short version, Random random, int depth)
    {
        var mayBeNull = Contains(field.NullableVersions, version) || (IsStruct(field) && !field.IsArray && field.IsTagged);
        if (mayBeNull && random.Next(5) == 0)
        {
            return null;
        }

        if (field.IsArray)
        {
            var list = (IList)Activator.CreateInstance(propertyType)!;
            var elementType = propertyType.GetGenericArguments()[0];
            var count = depth > 3 ? 0 : random.Next(4);
            for (var i = 0; i < count; i++)
            {
                list.Add(IsStruct(field)
                    ? RandomStruct(elementType, StructFields(field), version, random, depth + 1)
                    : RandomPrimitive(field.ElementType, random));
            }

            return list;
        }

        return IsStruct(field)
            ? RandomStruct(Nullable.GetUnderlyingType(propertyType) ?? propertyType, StructFields(field), version, random, depth + 1)
            : RandomPrimitive(field.Type, random);
    }

    private static readonly string[] Fragments = ["a", "topic", "-", "_", ".", "é", "日本", "😀", "0", " "];

    private static object RandomPrimitive(string type, Random random) => type switch
    {
        "bool" => random.Next(2) == 1,
        "int8" => (sbyte)Pick(random, random.Next(sbyte.MinValue, sbyte.MaxValue + 1), -1, 0, sbyte.MaxValue),
        "int16" => (short)Pick(random, random.Next(short.MinValue, short.MaxValue + 1), -1, 0, short.MaxValue),
        "uint16" => (ushort)Pick(random, random.Next(0, ushort.MaxValue + 1), 0, ushort.MaxValue),
        "int32" => (int)Pick(random, random.Next(int.MinValue, int.MaxValue), -1, 0, int.MaxValue, int.MinValue),
        "uint32" => (uint)Pick(random, random.NextInt64(0, (long)uint.MaxValue + 1), 0, uint.MaxValue),
        "int64" => Pick(random, random.NextInt64(long.MinValue, long.MaxValue), -1, 0, long.MaxValue, long.MinValue),
        "float64" => Math.Round((random.NextDouble() - 0.5) * 1e6, 3),
        "uuid" => new Guid(RandomBytes(random, 16)),
        "string" => string.Concat(Enumerable.Range(0, random.Next(6)).Select(_ => Fragments[random.Next(Fragments.Length)])),
        "bytes" => RandomBytes(random, random.Next(8)),
        "records" => (ReadOnlyMemory<byte>?)RandomBytes(random, random.Next(24)),
        _ => throw new NotSupportedException(type),
    };

    private static long Pick(Random random, long value, params long[] edges) =>
        random.Next(4) == 0 ? edges[random.Next(edges.Length)] : value;

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// Null when <paramref name="actual"/> (read back) holds what <paramref name="expected"/> (written) had in every
    /// field the version carries, and the defaults in every other; else the path of the first difference.
    /// </summary>
    public string? Difference(IKafkaMessage expected, IKafkaMessage actual, short version) =>
        DifferenceOfStruct(Type, Spec.Fields, expected, actual, version, Type.Name);

    private string? DifferenceOfStruct(Type type, IReadOnlyList<FieldSpec> fields, object expected, object actual, short version, string path)
    {
        var defaults = Activator.CreateInstance(type)!;
        foreach (var field in fields)
        {
            var property = type.GetProperty(field.Name)!;
            var want = Contains(field.Versions, version) ? property.GetValue(expected) : property.GetValue(defaults);
            var got = property.GetValue(actual);
            if (DifferenceOfValue(field, Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, want, got, version, $"{path}.{field.Name}") is { } difference)
            {
                return difference;
            }
        }

        var unknown = IsFlexible(version) ? (List<TaggedField>?)type.GetProperty("UnknownTaggedFields")!.GetValue(expected) : null;
        var unknownRead = (List<TaggedField>?)type.GetProperty("UnknownTaggedFields")!.GetValue(actual);
        return SameTaggedFields(unknown ?? [], unknownRead ?? []) ? null : $"{path}.UnknownTaggedFields";
    }

    private static bool SameTaggedFields(List<TaggedField> want, List<TaggedField> got)
    {
        if (want.Count != got.Count)
        {
            return false;
        }

        for (var i = 0; i < want.Count; i++)
        {
            if (want[i].Tag != got[i].Tag || !want[i].Data.AsSpan().SequenceEqual(got[i].Data))
            {
                return false;
            }
        }

        return true;
    }

    private string? DifferenceOfValue(FieldSpec field, Type type, object? want, object? got, short version, string path)
    {
        if (want is null || got is null)
        {
            return want is null && got is null ? null : $"{path}: {Show(want)} written, {Show(got)} read";
        }

        if (field.IsArray)
        {
            var wantList = (IList)want;
            var gotList = (IList)got;
            if (wantList.Count != gotList.Count)
            {
                return $"{path}: {wantList.Count} elements written, {gotList.Count} read";
            }

            var elementType = type.GetGenericArguments()[0];
            for (var i = 0; i < wantList.Count; i++)
            {
                var difference = IsStruct(field)
                    ? DifferenceOfStruct(elementType, StructFields(field), wantList[i]!, gotList[i]!, version, $"{path}[{i}]")
                    : Equal(wantList[i], gotList[i]) ? null : $"{path}[{i}]: {Show(wantList[i])} written, {Show(gotList[i])} read";
                if (difference is not null)
                {
                    return difference;
                }
            }

            return null;
        }

        if (IsStruct(field))
        {
            return DifferenceOfStruct(type, StructFields(field), want, got, version, path);
        }

        return Equal(want, got) ? null : $"{path}: {Show(want)} written, {Show(got)} read";
    }

    private static bool Equal(object? want, object? got) => (want, got) switch
    {
        (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
        (ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b) => a.Span.SequenceEqual(b.Span),
        _ => Equals(want, got),
    };

    private static string Show(object? value) => value switch
    {
        null => "null",
        byte[] bytes => Convert.ToHexString(bytes),
        ReadOnlyMemory<byte> memory => Convert.ToHexString(memory.Span),
        IList list => $"[{list.Count}]",
        _ => value.ToString() ?? "",
    };
}
