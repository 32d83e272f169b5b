namespace ActorStream.Client.Config;

internal static class ConfigValidation
{
    public static int InRange(string key, int value, int min, int max = int.MaxValue) =>
        value < min || value > max
            ? throw new ArgumentException($"Invalid value {value} for configuration {key}: must be in [{min}, {max}]", key)
            : value;

    public static long AtLeast(string key, long value, long min) =>
        value < min ? throw new ArgumentException($"Invalid value {value} for configuration {key}: must be at least {min}", key) : value;

    /// <summary>A configuration error naming the property (as the exception's parameter name).</summary>
    public static ArgumentException Error(string key, string message) => new(message, key);
}
