using System.CommandLine;
using System.CommandLine.Parsing;

namespace ActorStream.Cli.Errors;

/// <summary>
/// The one-line <c>error: ...</c> messages the CLI prints on stderr: for a command line that does not parse (instead of
/// System.CommandLine's help dump) and for a command that failed, without .NET type names or parameter names.
/// </summary>
internal static class CliErrors
{
    /// <summary>The first parse error, in words, with a pointer to the command's help.</summary>
    public static string FromParse(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var error = parse.Errors[0];
        var message = InvalidValue(error) ?? OneLine(error.Message).TrimEnd('.');
        return $"{message} (see '{CommandPath(parse.CommandResult)} --help')";
    }

    /// <summary>What went wrong, for the message of an exception a command threw.</summary>
    public static string FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;
        // ArgumentException appends " (Parameter 'name')", which names a .NET parameter, not anything the user typed.
        if (exception is ArgumentException { ParamName: { Length: > 0 } name } && message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal))
        {
            message = message[..^$" (Parameter '{name}')".Length];
        }

        return OneLine(message);
    }

    /// <summary>A value that did not convert to its option's type, said without the .NET type name.</summary>
    private static string? InvalidValue(ParseError error)
    {
        var (name, type, tokens) = error.SymbolResult switch
        {
            OptionResult o => (o.Option.Name, o.Option.ValueType, o.Tokens),
            ArgumentResult { Parent: OptionResult o } a => (o.Option.Name, o.Option.ValueType, a.Tokens),
            ArgumentResult a => (a.Argument.Name, a.Argument.ValueType, a.Tokens),
            _ => ("", typeof(string), (IReadOnlyList<Token>)[]),
        };
        var value = string.Join(' ', tokens.Select(t => t.Value));
        return tokens.Count > 0 && Expected(type) is { } expected && error.Message.Contains($"'{value}'", StringComparison.Ordinal)
            ? $"{name}: '{value}' is not {expected}"
            : null;
    }

    /// <summary>The kind of value an option takes, in words; null for text (which always parses).</summary>
    internal static string? Expected(Type type)
    {
        var element = type.IsArray ? type.GetElementType()! : Nullable.GetUnderlyingType(type) ?? type;
        return element switch
        {
            _ when element == typeof(int) || element == typeof(long) || element == typeof(short) => "an integer",
            _ when element == typeof(bool) => "true or false",
            _ when element == typeof(double) => "a number",
            _ when element == typeof(FileInfo) => "a file path",
            _ when element == typeof(DateTimeOffset) || element == typeof(DateTime) => "a date and time",
            _ => null,
        };
    }

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? result = command; result is CommandResult c; result = c.Parent)
        {
            names.Add(c.Parent is null ? "actorstream" : c.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
