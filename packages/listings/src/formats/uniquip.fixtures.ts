/** Lines copied verbatim from `../shared/data/uk-*.csv` (line numbers in the comments), control characters escaped. */

/** uk-st-andrews-uniquip.csv line 1: the header: no Name, no ID, no Technique */
export const ST_ANDREWS_HEADER =
  'Description,Site Location,Contact Telephone,Contact URL,Contact Email,Location,Department,Service Level';
/** uk-st-andrews-uniquip.csv line 2: a placeholder for a name */
export const ST_ANDREWS_UNKNOWN =
  'UNKNOWN,St Andrews,441334 476161,https://www.st-andrews.ac.uk/,,https://en.wikipedia.org/wiki/St_Andrews,University of St Andrews,';
/** uk-st-andrews-uniquip.csv line 3 */
export const ST_ANDREWS_INDIGO =
  'INDIGO2 COMPUTER RJ,St Andrews,441334 463744,https://www.st-andrews.ac.uk/maths/,maths@st-andrews.ac.uk,https://en.wikipedia.org/wiki/St_Andrews,Maths/Creem,';
/** uk-st-andrews-uniquip.csv line 112: a name cut at 20 characters; `Geography ` with a trailing space; a stray `Ê` in the (unmapped) e-mail */
export const ST_ANDREWS_GEOGRAPHY =
  '01/AP/07/015 SEA ADV,St Andrews,441334 462894,https://www.st-andrews.ac.uk/gsd/,gsd@st-andrews.ac.ukÊ,https://en.wikipedia.org/wiki/St_Andrews,Geography ,';
/** uk-st-andrews-uniquip.csv line 360: repeated identically on lines 361 to 364 */
export const ST_ANDREWS_HITACHI =
  'Hitachi S4800 SEM,St Andrews,441334 463111,https://www.st-andrews.ac.uk/physics/,physics@st-andrews.ac.uk,https://en.wikipedia.org/wiki/St_Andrews,Physics & Astronomy,';
/** uk-st-andrews-uniquip.csv line 404: cut at 20 characters */
export const ST_ANDREWS_NICOLET =
  'Nicolet 6700 Spectro,St Andrews,441334 463800,https://www.st-andrews.ac.uk/chemistry/,chemistry@st-andrews.ac.uk,https://en.wikipedia.org/wiki/St_Andrews,Chemistry,';
/** uk-st-andrews-uniquip.csv line 484: a control character (U+0016) at the end of the name */
export const ST_ANDREWS_CONTROL =
  '1028 Incucyte Zoom \u0016,St Andrews,441334 463401,https://www.st-andrews.ac.uk/bsrc/,bsrc-off@st-andrews.ac.uk,https://en.wikipedia.org/wiki/St_Andrews,Biomedical Sciences,';
/** uk-st-andrews-uniquip.csv line 597: cut at 20 characters */
export const ST_ANDREWS_AGILENT =
  'Agilent 8900 Triple,St Andrews,441334 463940,https://earthsci.st-andrews.ac.uk/,earthsci@st-andrews.ac.uk,https://en.wikipedia.org/wiki/St_Andrews,Earth Sciences,';
/** uk-southampton-equipment.csv line 1: the header: another register's column names */
export const SOUTHAMPTON_HEADER =
  'Equipment ID,Name1,Simple name/industry name,Description,Asset cost,Taxonomy,Item Type,Building - ID,Location - ID,Faculty/Professional Service,Org Unit - ID,Related Facility ID,Equipment - Web page,Supplier - Web page,Created';
/** uk-southampton-equipment.csv line 2 */
export const SOUTHAMPTON_E0001 =
  'E0001,Nanoscope III,,Multitasking controller for atomic force microscopes (AFM). Local ID: PH/01785,68737.5000000000,,0,46 - Physics,1 - Highfield,F7 - Faculty of Physical and Applied Science,WF - Physics and Astronomy,F0041,,,2012-04-13 16:55:29';
/** uk-southampton-equipment.csv line 3: a second name and a Taxonomy */
export const SOUTHAMPTON_E0002 =
  'E0002,Explorer AFM,Explorer Thermo-microscope,Explorer atomic force microscope (AFM) capable of imaging in non-contact (NC) and contact mode. Local ID: PH/01717,113760.000000000,Atomic Force Microscope (AFM),0,7 - Lanchester,1 - Highfield,F2 - Faculty of Engineering and the Environment,KK - School of Engineering Sciences,F0041,,,2012-04-13 16:55:29';
/** uk-southampton-equipment.csv line 5: a quoted description with commas */
export const SOUTHAMPTON_E0004 =
  'E0004,Zeiss Confocal Microscope,Direct write system,"A Zeiss confocal microscope system which is also capable of UV writing of samples. (HeNe - 633nm, GeNe - 543nm, UV - 351nm, Arlon - 458nm, and other lines)",140647.500000000,Lithography,0,46 - Physics,1 - Highfield,F7 - Faculty of Physical and Applied Science,WF - Physics and Astronomy,F0041,,,2012-04-13 16:55:29';
/** uk-southampton-equipment.csv line 20: no Building: the site (`Location - ID`) stands in */
export const SOUTHAMPTON_E0033 =
  'E0033,Perkin Elmer Elan 6100 Dynamic Reaction Cell (DRC),DRC,,100000.000000000,,0,,18 - SGH,F5 - Faculty of Medicine,RJ - School of Medicine,,,,2012-04-13 16:55:29';
/** uk-southampton-equipment.csv line 68: mojibake in the description (`Ã…` for `Å`) */
export const SOUTHAMPTON_E0236 =
  'E0236,"Veeco Multimode SPM - High resolution: Contact, Tapping, MFM, STM, LIQUID, EFM, SCM, CAFM",Multimode SPM,"The MultiMode V is a compact and very high resolution scanning probe microscopy system ideal for micro to atomic scale imaging activity. It has a flexible platform that enables microscopy of nanostructures in semiconductor, biological and polymer materials. It can produce very stable and low noise image of 0.3 Ã… in vertical dimension and can operate in fluid environment.",142363.000000000,,0,53 - New Mountbatten,1 - Highfield,F7 - Faculty of Physical and Applied Science,FP - Electronics and Computer Science,F0014,http://www.southampton-nanofab.com/fabrication/lithography.php,http://www.veeco.com/atomic-force-microscope-systems/index.aspx,2012-04-24 12:31:59';
/** uk-southampton-equipment.csv line 90: mojibake in the name (`Â®` for `®`) */
export const SOUTHAMPTON_E0259 =
  'E0259,Brewer Science CeeÂ® 200 Precision Spin Coater - Main Cleanroom,LI12  Brewer Science Cee200 Precision Spin Coater,"Coater for metal coating of insulating samples prior to SEM imaging. The Brewer Science® Cee® 200X features convenient compact footprint, chemical compatibility, and durability, this easy-to-use benchtop system will provide years of high-performance spin coating, making the Cee® 200X purchase a smart and cost-effective decision for applying coatings to substrates up to 200 mm round or 7"" square. 250X.",81558.0000000000,,0,53 - New Mountbatten,1 - Highfield,F7 - Faculty of Physical and Applied Science,FP - Electronics and Computer Science,F0014,,http://www.brewerscience.com/products/cee/spin-coaters/spin-coater,2012-04-24 12:32:00';
/** uk-southampton-equipment.csv line 156: no price; a real curly apostrophe; a web page */
export const SOUTHAMPTON_E0520 =
  'E0520,Laser Cutter,Cadham FB7100 Laser Cutter,The Cadcam Laser Cutter will cut or engrave onto a large range of materials including fabrics up to a maximum size of 70cm x 79cm. Suitable materials can be purchased from www.hobartlaserables.com Winchester School of Art’s on-campus shop is expanding its range of laser-able materials.,,,0,,4 - WSA,F1 - Faculty of Business and Law,FH - School of Art,F0073,http://www.southampton.ac.uk/wsa/business_partnership/services/cadcam_laser_cutter.page?,,2012-04-24 12:32:17';
