using System.Text;
using Spectre.Console;

namespace Loire.Cli.Infrastructure;

/// <summary>
/// Where a run reads and writes: the process's standard streams, or in-memory ones in tests. Data goes to
/// <see cref="Out"/> (and raw bodies to <see cref="OutputStream"/>), messages and progress to <see cref="Error"/>.
/// </summary>
internal sealed class CliConsole
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public CliConsole(Stream input, Stream output, Stream error, Func<string, string?> environment, bool outputIsTerminal = false, bool errorIsTerminal = false)
    {
        Input = input;
        OutputStream = output;
        Out = new StreamWriter(output, Utf8, leaveOpen: true) { AutoFlush = true };
        Error = new StreamWriter(error, Utf8, leaveOpen: true) { AutoFlush = true };
        Environment = environment;
        ErrorIsTerminal = errorIsTerminal;
        Tables = CreateAnsiConsole(Out, outputIsTerminal);
        Status = CreateAnsiConsole(Error, errorIsTerminal);
    }

    public Stream Input { get; }

    public Stream OutputStream { get; }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>Reads an environment variable; tests pass their own so runs do not depend on the machine's.</summary>
    public Func<string, string?> Environment { get; }

    /// <summary>Progress bars only make sense where someone watches; redirected stderr gets a summary line instead.</summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>Renders tables onto <see cref="Out"/>.</summary>
    public IAnsiConsole Tables { get; }

    /// <summary>Renders progress onto <see cref="Error"/>.</summary>
    public IAnsiConsole Status { get; }

    public static CliConsole FromProcess() => new(
        Console.OpenStandardInput(),
        Console.OpenStandardOutput(),
        Console.OpenStandardError(),
        System.Environment.GetEnvironmentVariable,
        outputIsTerminal: !Console.IsOutputRedirected,
        errorIsTerminal: !Console.IsErrorRedirected);

    /// <summary>Writes a body's bytes as they are, after any text already buffered.</summary>
    public async Task WriteBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        await OutputStream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await OutputStream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static IAnsiConsole CreateAnsiConsole(TextWriter writer, bool isTerminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!isTerminal)
        {
            // Redirected output has no width; the default of 80 columns would wrap wide tables mid-cell.
            console.Profile.Width = 400;
        }

        return console;
    }
}
