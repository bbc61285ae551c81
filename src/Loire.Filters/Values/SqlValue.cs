namespace Loire.Filters.Values;

/// <summary>
/// A value during evaluation. A struct so evaluating a filter does not allocate; numbers are widened to
/// <see cref="long"/>, <see cref="double"/> or <see cref="decimal"/>, and the structs the language compares
/// (<see cref="System.DateTimeOffset"/> and friends) stay in the box the message already handed us.
/// </summary>
internal readonly struct SqlValue
{
    // decimal.ToDouble/float-to-decimal conversions throw beyond this magnitude.
    private const float MaxDecimalSafeSingle = 7.9e27f;

    private readonly long _integer;
    private readonly double _double;
    private readonly decimal _decimal;
    private readonly object? _reference;

    private SqlValue(SqlValueKind kind, long integer = 0, double @double = 0, decimal @decimal = 0, object? reference = null)
    {
        Kind = kind;
        _integer = integer;
        _double = @double;
        _decimal = @decimal;
        _reference = reference;
    }

    /// <summary>The unknown value (also SQL NULL); the default of the struct.</summary>
    public static SqlValue Unknown => default;

    public static SqlValue True { get; } = new(SqlValueKind.Boolean, integer: 1);

    public static SqlValue False { get; } = new(SqlValueKind.Boolean, integer: 0);

    public SqlValueKind Kind { get; }

    public bool IsUnknown => Kind == SqlValueKind.Unknown;

    public bool IsNumber => Kind is SqlValueKind.Integer or SqlValueKind.Double or SqlValueKind.Decimal;

    public bool Boolean => _integer != 0;

    public long Integer => _integer;

    public double Double => _double;

    public decimal Decimal => _decimal;

    public string String => (string)_reference!;

    /// <summary>The boxed struct for the temporal and <see cref="System.Guid"/> kinds.</summary>
    public object Reference => _reference!;

    public static SqlValue FromBoolean(bool value) => value ? True : False;

    public static SqlValue FromInteger(long value) => new(SqlValueKind.Integer, integer: value);

    public static SqlValue FromDouble(double value) => new(SqlValueKind.Double, @double: value);

    public static SqlValue FromDecimal(decimal value) => new(SqlValueKind.Decimal, @decimal: value);

    public static SqlValue FromString(string value) => new(SqlValueKind.String, reference: value);

    /// <summary>Classifies a property value as handed over by <see cref="IFilterMessage"/>.</summary>
    public static SqlValue FromObject(object? value) => value switch
    {
        null => Unknown,
        string s => FromString(s),
        bool b => FromBoolean(b),
        int i => FromInteger(i),
        long l => FromInteger(l),
        double d => FromDouble(d),
        decimal m => FromDecimal(m),
        float f => FromSingle(f),
        short s => FromInteger(s),
        byte b => FromInteger(b),
        sbyte b => FromInteger(b),
        ushort s => FromInteger(s),
        uint u => FromInteger(u),
        ulong u => u <= long.MaxValue ? FromInteger((long)u) : FromDecimal(u),
        DateTimeOffset => new(SqlValueKind.DateTimeOffset, reference: value),
        DateTime => new(SqlValueKind.DateTime, reference: value),
        Guid => new(SqlValueKind.Guid, reference: value),
        TimeSpan => new(SqlValueKind.TimeSpan, reference: value),
        _ => new(SqlValueKind.Unsupported, reference: value),
    };

    /// <summary>Widens a number kind to double.</summary>
    public double ToDouble() => Kind switch
    {
        SqlValueKind.Integer => _integer,
        SqlValueKind.Decimal => (double)_decimal,
        _ => _double,
    };

    /// <summary>Widens an integer or decimal kind to decimal (never called for doubles).</summary>
    public decimal ToDecimal() => Kind == SqlValueKind.Integer ? _integer : _decimal;

    /// <summary>
    /// A float such as 0.1f is really 0.100000001490116; widening it bit-for-bit would make <c>price = 0.1</c> false.
    /// Going through decimal keeps the 7 significant digits the sender meant.
    /// </summary>
    private static SqlValue FromSingle(float value) =>
        float.IsFinite(value) && Math.Abs(value) < MaxDecimalSafeSingle
            ? FromDouble((double)(decimal)value)
            : FromDouble(value);
}
