using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Loire.Cli.Output;

/// <summary>"done/total  rate/s" for a progress bar; Spectre's own speed column counts bytes.</summary>
internal sealed class RateColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        var done = task.Value.ToString("0", CultureInfo.InvariantCulture);
        var total = task.IsIndeterminate ? "?" : task.MaxValue.ToString("0", CultureInfo.InvariantCulture);
        var rate = (task.Speed ?? 0).ToString("0", CultureInfo.InvariantCulture);
        return new Text($"{done}/{total}  {rate}/s");
    }
}
