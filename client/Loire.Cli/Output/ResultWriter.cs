using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Loire.Cli.Infrastructure;
using Spectre.Console;

namespace Loire.Cli.Output;

/// <summary>Writes a command's result to stdout: a Spectre table for people, or JSON with <c>--json</c> for scripts.</summary>
internal sealed class ResultWriter(CliConsole console, bool json)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Output for terminals and files, never embedded in HTML: keep SQL filters readable ('>' not \u003E).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public bool IsJson => json;

    /// <summary>Rows as a table with the given columns, or all their properties as a JSON array.</summary>
    public void WriteList<T>(IReadOnlyList<T> rows, params Column<T>[] columns)
    {
        if (json)
        {
            WriteJson(rows);
            return;
        }

        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column.Header)));
        }

        foreach (var row in rows)
        {
            table.AddRow(columns.Select(c => new Text(CellText.Format(c.Value(row)))));
        }

        console.Tables.Write(table);
        console.Tables.WriteLine($"{rows.Count} {(rows.Count == 1 ? "row" : "rows")}");
    }

    /// <summary>One object: every public property as a name/value table, or the object as JSON.</summary>
    public void WriteRecord<T>(T record)
        where T : notnull
    {
        if (json)
        {
            WriteJson(record);
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).HideHeaders();
        table.AddColumn("property");
        table.AddColumn("value");
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var value = property.GetValue(record);
            var text = value is System.Collections.IEnumerable items and not string
                ? string.Join(", ", items.Cast<object?>().Select(CellText.Format))
                : CellText.Format(value);
            table.AddRow(new Text(property.Name), new Text(text));
        }

        console.Tables.Write(table);
    }

    /// <summary>A one-line outcome (<c>deleted queue orders</c>) for people, or <paramref name="data"/> as JSON.</summary>
    public void WriteOutcome<T>(string line, T data)
    {
        if (json)
        {
            WriteJson(data);
            return;
        }

        console.Out.WriteLine(line);
    }

    public void WriteJson<T>(T data) => console.Out.WriteLine(JsonSerializer.Serialize(data, JsonOptions));
}
